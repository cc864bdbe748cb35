#!/usr/bin/env python3
"""Reference outputs of xoshiro256++ (Blackman & Vigna), pure Python, for
kanzei-core's draws test: the first six outputs from the state {1, 2, 3, 4}.

    python3 bench/reference/draws/xoshiro_vector.py
"""
M = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def xoshiro256pp(s):
    while True:
        result = (rotl((s[0] + s[3]) & M, 23) + s[0]) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result


gen = xoshiro256pp([1, 2, 3, 4])
print([next(gen) for _ in range(6)])
