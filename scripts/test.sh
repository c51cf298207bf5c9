#!/usr/bin/env bash
# Installs the packages, builds everything into build/ and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build
cmake --build build -j"$jobs"
# A hung test fails after 10 minutes instead of using up the whole run.
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600
