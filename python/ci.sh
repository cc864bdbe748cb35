#!/usr/bin/env bash
# Builds and tests the Python package in a fresh venv: pip install ./python, then pytest.
# Run from anywhere: `python/ci.sh`. Not part of .ci/run (yet).
#
# The tests hold every function against the CLI's JSON, so they need the CLI binary: this
# script uses target/release/kanzei (building it when missing) unless KANZEI_BIN is set.
# CARGO_BUILD_JOBS defaults to 1 (the build machines are small); VENV to a temporary folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
# Share the root build's target folder: the library crates compile once for the CLI and the wheel.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="${VENV:-$(mktemp -d)/venv}"
python="${PYTHON:-python3}"

if [ -z "${KANZEI_BIN:-}" ]; then
    if [ ! -x "$root/target/release/kanzei" ]; then
        (cd "$root" && cargo build --release -p kanzei)
    fi
    export KANZEI_BIN="$root/target/release/kanzei"
fi

"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "$here[test]"
# Run from outside python/, so that `import kanzei` finds the installed package (with its
# compiled module), not the source folder.
cd "$(mktemp -d)"
"$venv/bin/pytest" -q -p no:cacheprovider "$here/tests" "$@"
