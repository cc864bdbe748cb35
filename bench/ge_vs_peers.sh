#!/usr/bin/env bash
# GE models, kanzei against its peers, on this machine, in one run.
#
#  1. Caliendo & Parro (2015) NAFTA counterfactual (31 countries x 40 sectors): kanzei's
#     time only. The peers are the authors' MATLAB code and the cp2015 R port; neither
#     MATLAB nor R is installable here, so there is no side-by-side figure (target: under
#     0.5 s in release).
#  2. gegravity 0.3 sample counterfactual (30 countries, CAN-JPN PTA, fixed coefficients):
#     kanzei vs gegravity (build baseline + define experiment + simulate, CSV already
#     read, solver tolerance 1e-13 on both sides). Target: kanzei at least 50x faster.
#
# Usage: bench/ge_vs_peers.sh [RAW_DIR]   (default ../shared/data/raw)
# The peer runs with the Python in $PEER_PYTHON (default: python3 on PATH). Make its venv once:
#   python3 -m venv .venv-peers && .venv-peers/bin/pip install gegravity==0.3 pandas numpy scipy
#   PEER_PYTHON=.venv-peers/bin/python bash bench/ge_vs_peers.sh
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set on some machines) slow numpy: they are unset for
# the peer's command only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RAW="${1:-$ROOT/../shared/data/raw}"
PYTHON="${PEER_PYTHON:-python3}"
peer_python() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$@"; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

echo "machine: $(nproc) cores, $(uname -sr)"
echo "building kanzei (release)..."
cargo build --release --quiet -p kanzei-ge --example ge_timing --manifest-path "$ROOT/Cargo.toml"
KANZEI_OUT="$("$CARGO_TARGET_DIR/release/examples/ge_timing" "$RAW")"
echo "$KANZEI_OUT" | grep '^#' || true

cp_solve=$(echo "$KANZEI_OUT" | awk '$1 == "caliendo_parro_nafta_solve" {print $2}')
cp_full=$(echo "$KANZEI_OUT" | awk '$1 == "caliendo_parro_zero_deficit_plus_nafta" {print $2}')
grav=$(echo "$KANZEI_OUT" | awk '$1 == "gravity_gegravity_sample_30" {print $2}')

if peer_python -c "import gegravity" 2>/dev/null; then
  peer=$(peer_python "$ROOT/bench/gegravity_reference.py" --time 5 "$RAW/gegravity_sample/sample_data_set.dlm" 2>/dev/null \
    | awk '$1 == "gegravity_sample_30" {print $2}')
else
  peer=""
fi

echo
printf '%-48s %12s %12s %10s\n' "benchmark (median wall time)" "kanzei" "peer" "ratio"
printf '%-48s %11.1fms %12s %10s\n' "CP 2015 NAFTA solve (31x40)" "$(echo "$cp_solve*1000" | bc -l)" "n/a" "n/a"
printf '%-48s %11.1fms %12s %10s\n' "CP 2015 zero-deficit baseline + NAFTA" "$(echo "$cp_full*1000" | bc -l)" "n/a" "n/a"
if [[ -n "$peer" ]]; then
  ratio=$(echo "$peer/$grav" | bc -l)
  printf '%-48s %11.3fms %11.1fms %9.0fx\n' "gegravity sample counterfactual (30 countries)" \
    "$(echo "$grav*1000" | bc -l)" "$(echo "$peer*1000" | bc -l)" "$ratio"
else
  printf '%-48s %11.3fms %12s %10s\n' "gegravity sample counterfactual (30 countries)" "$(echo "$grav*1000" | bc -l)" "missing" "-"
  echo "note: gegravity not importable with $PYTHON; make the venv (see the top of this script) and set PEER_PYTHON"
fi
echo
echo "CP: no installable peer (MATLAB/R unavailable); target < 500 ms: $(echo "$cp_solve < 0.5" | bc -l | sed 's/1/met/;s/0/MISSED/')"
if [[ -n "$peer" ]]; then
  echo "gravity: target >= 50x faster than gegravity: $(echo "$ratio >= 50" | bc -l | sed 's/1/met/;s/0/MISSED/')"
fi
