#!/usr/bin/env bash
# Stage "fast": the normal build (RelWithDebInfo) of everything in build/, tests and
# benchmarks included, and the whole ctest suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=$(nproc)

# Tests and benchmarks on explicitly: build/ may hold a quickstart.sh configuration that
# turned them off.
cmake -S . -B build -DLLMROUTE_BUILD_TESTS=ON -DLLMROUTE_BUILD_BENCH=ON
cmake --build build -j"$jobs"
# A hung test fails after 10 minutes instead of using up the whole run.
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600
