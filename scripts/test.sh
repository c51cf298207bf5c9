#!/usr/bin/env bash
# Installs the packages, builds everything into build/ and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)
# Tests and benchmarks on explicitly: build/ may hold a quickstart.sh configuration
# that turned them off.
cmake -S . -B build -DLLMROUTE_BUILD_TESTS=ON -DLLMROUTE_BUILD_BENCH=ON
cmake --build build -j"$jobs"
# A hung test fails after 10 minutes instead of using up the whole run.
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

# The C ABI tests again under AddressSanitizer and UBSan: only that test binary and what it
# links are built (the core, in Debug for a quick compile).
cmake -S . -B build-asan -DLLMROUTE_SANITIZE=ON -DLLMROUTE_BUILD_TESTS=ON -DLLMROUTE_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j"$jobs" --target llmroute_capi_tests
build-asan/tests/capi/llmroute_capi_tests
