#!/usr/bin/env bash
# Issue 16: scenario parsing and compilation grow linearly with the number of measures.
#
# Generates scenario files extending us-2025 with N bare measures on Japanese goods (the same
# shape as the criterion bench `cargo bench -p kanzei-tariff --bench engine -- "k_measures"`)
# and times, with the release binary on the embedded data:
#   - `kanzei tariff check FILE`: parse, validate and lint (compiles once to find no-op measures);
#   - `kanzei tariff rates --scenario FILE --baseline none`: load, parse, compile, evaluate.
# Prints seconds and peak resident memory per size, and the 64k/16k time ratio (4 for linear).
#
#   bash bench/compile_scaling.sh            # sizes 16000 32000 64000
#   SIZES="1000 16000" bash bench/compile_scaling.sh
#
# Needs GNU time (/usr/bin/time) for peak memory; without it, memory shows as "-".
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"16000 32000 64000"}
cargo build --release -q -p kanzei
BIN=target/release/kanzei
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

generate() { # N FILE
    awk -v n="$1" 'BEGIN {
        split("8703 8704 7208 7601 8471 8517 9403 6403 3004 2709", h, " ");
        print "schema = 1\nid = \"big\"\nextends = \"us-2025\"\ntitle = \"big\"";
        for (i = 0; i < n; i++)
            printf "\n[[measure]]\nid = \"m%d\"\nauthority = \"other\"\nexporters = [\"JPN\"]\nproducts = [\"%s\"]\nrate_pct = %d\neffective = \"2025-06-01\"\n", i, h[i % 10 + 1], 1 + i % 50;
    }' > "$2"
}

timed() { # label command...: prints "seconds rss_mb"
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
        awk '{printf "%.2f %.0f", $1, $2 / 1024}' "$WORK/time"
    else
        local start end
        start=$(date +%s.%N); "$@" > /dev/null 2>&1; end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f -", e - s}'
    fi
}

printf "%9s %9s %10s %9s %10s %9s\n" measures file_mb check_s check_mb rates_s rates_mb
declare -A RATES
for n in $SIZES; do
    f="$WORK/big$n.toml"
    generate "$n" "$f"
    size=$(awk -v b="$(wc -c < "$f")" 'BEGIN {printf "%.1f", b / 1048576}')
    read -r cs cm <<< "$(timed "$BIN" tariff check "$f")"
    read -r rs rm <<< "$(timed "$BIN" tariff rates --scenario "$f" --baseline none --format json)"
    RATES[$n]=$rs
    printf "%9s %9s %10s %9s %10s %9s\n" "$n" "$size" "$cs" "$cm" "$rs" "$rm"
done
if [ -n "${RATES[16000]:-}" ] && [ -n "${RATES[64000]:-}" ]; then
    awk -v a="${RATES[16000]}" -v b="${RATES[64000]}" 'BEGIN {printf "tariff rates 64k/16k: %.2f (4.00 if linear; the fixed load and evaluation make it lower)\n", b / a}'
fi
