#!/usr/bin/env bash
# Stage "tsan": the C++ and C ABI test binaries under ThreadSanitizer, in build-tsan/.
# Their multi-threaded tests (grep std::thread tests/: the holder's swaps under readers,
# resolving and parsing bodies on many threads, the C holder) are the point; each binary
# runs whole, in one process, and any race report fails it. Left out: the one test of a
# million matches (ConfigLimitsByOne.MatchesPerTable), single-threaded, so nothing for
# TSan to check, and 775 MB before TSan's shadow memory multiplies it; the fast and asan
# stages run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=$(nproc)

CC=${CC:-gcc} CXX=${CXX:-g++} cmake -S . -B build-tsan -DLLMROUTE_SANITIZE=thread \
  -DLLMROUTE_BUILD_TESTS=ON -DLLMROUTE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_FLAGS_DEBUG="-O1 -g1"
cmake --build build-tsan -j"$jobs" --target llmroute_tests llmroute_capi_tests
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
for binary in build-tsan/tests/llmroute_tests build-tsan/tests/capi/llmroute_capi_tests; do
  echo "tsan: $binary"
  "$binary" --gtest_brief=1 --gtest_filter=-ConfigLimitsByOne.MatchesPerTable
done
