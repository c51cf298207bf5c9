#!/usr/bin/env bash
# Stage "asan": the whole ctest suite again under AddressSanitizer and UBSan (any report
# fails the test), in build-asan/: the C++ and C ABI tests, the CLI tests, and the Python
# and Lua binding tests, whose interpreters preload the sanitizer runtime. gcc (its
# runtime is linked as a shared library, so the C library and the interpreters share it);
# -O1 for a compile nearly as quick as -O0 and tests several times faster; no benchmarks.
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=$(nproc)

CC=${CC:-gcc} CXX=${CXX:-g++} cmake -S . -B build-asan -DLLMROUTE_SANITIZE=address \
  -DLLMROUTE_BUILD_TESTS=ON -DLLMROUTE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_FLAGS_DEBUG="-O1 -g1"
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900
