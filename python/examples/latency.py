"""Per-call latency of a cached Session, by function (not a test: timings depend on the machine).

    python examples/latency.py
"""

import statistics
import time

import kanzei

CALLS = {
    "run_json(tariff lists)": lambda s: s.run_json(["tariff", "lists", "--format", "json"]),
    "trade_balance(2024)": lambda s: s.trade_balance(2024),
    "explain(JPN, 8703230140)": lambda s: s.explain("JPN", "8703230140", date="2025-10-01"),
    "tariff_timeline(JPN, 2025)": lambda s: s.tariff_timeline(partner="JPN", start="2025-01-01", end="2025-12-31"),
    "tariff_rates(us-2025, baseline=None)": lambda s: s.tariff_rates(date="2025-11-17", baseline=None),
    "tariff_rates(us-2025)": lambda s: s.tariff_rates(date="2025-11-17"),
    "tariff_collected(2025)": lambda s: s.tariff_collected("2025-01", "2025-12"),
    "prices(us-2025)": lambda s: s.prices(scenario="us-2025", date="2025-09-04"),
}


def main() -> None:
    session = kanzei.Session()
    start = time.perf_counter()
    session._inner.warm()
    print(f"{'first tariff data load':40} {1000 * (time.perf_counter() - start):9.1f} ms")
    for name, call in CALLS.items():
        start = time.perf_counter()
        call(session)
        first = time.perf_counter() - start
        times = []
        for _ in range(5):
            start = time.perf_counter()
            call(session)
            times.append(time.perf_counter() - start)
        print(f"{name:40} {1000 * first:9.1f} ms first, {1000 * statistics.median(times):9.1f} ms median of 5 after")


if __name__ == "__main__":
    main()
