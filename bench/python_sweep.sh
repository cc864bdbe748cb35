#!/usr/bin/env bash
# Issue 13: the Python package's per-call overhead on a cached Session and its sweep throughput.
#
# Runs python/examples/latency.py (each function's first call and the median of five after it;
# `run_json(tariff lists)` is the overhead of a call) and python/examples/japan_sweep.py
# (1,000 variants of Japan's floor rate × 10 dates) on each engine given in ENGINES.
#
# The package must be installed in the Python that KANZEI_PYTHON names (default: python3):
#   python3 -m venv .venv-kanzei && .venv-kanzei/bin/pip install './python[test]'
#   KANZEI_PYTHON=.venv-kanzei/bin/python bash bench/python_sweep.sh
#   VARIANTS=100 ENGINES="local dask" KANZEI_PYTHON=... bash bench/python_sweep.sh
# (`ray` needs `pip install ray` in that venv.) Results of 2026-12-05: bench/runs/2026-12-05-python.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${KANZEI_PYTHON:-python3}
VARIANTS=${VARIANTS:-1000}
ENGINES=${ENGINES:-"local processes dask"}
if ! "$PY" -c "import kanzei" 2>/dev/null; then
    echo "kanzei is not installed in $PY: see the instructions at the top of $0" >&2
    exit 2
fi
# Run from outside the repository so that `import kanzei` is the installed package; numpy-based
# peers (pyarrow, dask) are slowed by this machine's OpenBLAS settings: unset for them only.
examples="$PWD/python/examples"
cd "$(mktemp -d)"
echo "== per-call latency (cached Session)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$examples/latency.py"
for engine in $ENGINES; do
    echo "== sweep: $VARIANTS variants × 10 dates, engine=$engine"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$examples/japan_sweep.py" "$VARIANTS" --engine "$engine" --workers 2 | grep "evaluations"
done
