#!/usr/bin/env bash
# kanzei vs pymrio on the full WIOD 2011 table (1435 x 1435): the Leontief inverse plus
# value added by origin industry in all 41 x 41 bilateral gross-export flows.
# Runs both in one go, checks the results agree to 1e-9 and prints both timings and the
# ratio. pymrio runs with the Python in $PEER_PYTHON (default: python3 on PATH); make the venv:
#   python3 -m venv .venv-peers && .venv-peers/bin/pip install pymrio numpy pandas
#   PEER_PYTHON=.venv-peers/bin/python bash bench/va_vs_pymrio.sh
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for the peer's command only (they slow numpy).
#
#   bash bench/va_vs_pymrio.sh [REPEATS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PEER_PYTHON:-python3}"
peer_python() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$@"; }
REPEATS="${1:-5}"
WIOD="$ROOT/../shared/data/raw/wiod_2013_release/derived_csv_2011"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
if [ ! -d "$WIOD" ]; then
  echo "skipped: ../shared/data/raw not present"
  exit 0
fi
if ! peer_python -c "import pymrio" 2>/dev/null; then
  echo "pymrio not importable with $PYTHON; create the venv:"
  echo "  python3 -m venv .venv-peers && .venv-peers/bin/pip install pymrio numpy pandas"
  echo "  PEER_PYTHON=.venv-peers/bin/python bash bench/va_vs_pymrio.sh"
  exit 1
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
cargo build --release -q -p kanzei-mrio --example va_wiod
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
"$TARGET/release/examples/va_wiod" "$WIOD" "$OUT" "$REPEATS" > "$OUT/kanzei.json"
peer_python "$ROOT/bench/va_vs_pymrio.py" "$WIOD" "$OUT" "$REPEATS" "$OUT/kanzei.json"
