#!/usr/bin/env bash
# Monte Carlo speed (issue 12): kanzei's draws beside the peer that has the same feature.
#
#   * gravity: 1,000 draws of the cost coefficients on gegravity's sample (CAN–JPN PTA,
#     sigma 5), kanzei `ge gravity --draws` vs gegravity 0.3's MonteCarloGE per-trial solve
#     (bench/gegravity_montecarlo.py, PEER_DRAWS draws timed and scaled to 1,000: the peer
#     needs about 2 s per draw); prints the ratio.
#   * Caliendo–Parro on WIOD 2011 (1,000 θ draws, us-2025 on 2025-11-17) and SMART over every
#     HS10 × partner cell (10,000 draws): kanzei only (no peer has these draws); targets
#     60 s and 10 s on 2 cores.
#
# The peer's Python comes from $PEER_PYTHON; make the venv:
#   python3 -m venv .venv-peers && .venv-peers/bin/pip install gegravity numpy pandas scipy
#   PEER_PYTHON=.venv-peers/bin/python bash bench/draws_vs_peers.sh
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for the peer's command only (they slow numpy).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PEER_PYTHON:-python3}"
PEER_DRAWS="${PEER_DRAWS:-10}"
peer_python() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$@"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
cargo build --release -q -p kanzei
KANZEI="${CARGO_TARGET_DIR:-$ROOT/target}/release/kanzei"
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

k_gravity=$(seconds "$KANZEI" ge gravity --cost-change pta:CAN-JPN,JPN-CAN=1 --draws 1000 --seed 7 --format json)
printf 'kanzei ge gravity, 1,000 draws (end to end): %.2f s (target < 2 s)\n' "$k_gravity"
if peer_python -c "import gegravity" 2>/dev/null; then
  SCRATCH="$(mktemp -d)"
  GEGRAVITY_MC_OUT="$SCRATCH" peer_python "$ROOT/bench/gegravity_montecarlo.py" --draws "$PEER_DRAWS" > /dev/null
  per_draw=$(peer_python -c "import json,sys; print(json.load(open(sys.argv[1]))['timing']['seconds_per_draw'])" "$SCRATCH/experiment.json")
  printf 'gegravity MonteCarloGE per-trial solve: %.3f s per draw over %s draws, %.0f s for 1,000\n' "$per_draw" "$PEER_DRAWS" "$(echo "$per_draw * 1000" | bc -l)"
  printf 'ratio gegravity / kanzei for 1,000 draws: %.0fx\n' "$(echo "$per_draw * 1000 / $k_gravity" | bc -l)"
  rm -rf "$SCRATCH"
else
  echo "gegravity not importable with $PYTHON; create the venv (see this script's header). kanzei timings follow."
fi
k_cp=$(seconds "$KANZEI" ge cp --data wiod2011 --scenario us-2025 --date 2025-11-17 --draws 1000 --seed 7 --format json)
printf 'kanzei ge cp on WIOD 2011, 1,000 θ draws (end to end): %.1f s (target < 60 s)\n' "$k_cp"
k_smart=$(seconds "$KANZEI" pe smart --draws 10000 --seed 7 --format json)
printf 'kanzei pe smart, 10,000 draws over every HS10 x partner cell (end to end): %.1f s (target < 10 s)\n' "$k_smart"
