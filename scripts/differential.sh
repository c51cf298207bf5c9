#!/usr/bin/env bash
# The differential test at scale: the library's resolve against the reference resolver
# (tests/reference/) on random tables and requests. Defaults: 10 million comparisons and a
# fresh seed; a disagreement prints its seed and a shrunk reproducer.
#   scripts/differential.sh [COMPARISONS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."

comparisons="${1:-10000000}"
seed="${2:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
build="${BUILD_DIR:-build}"

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DLLMROUTE_BUILD_TESTS=ON >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target llmroute_tests
echo "differential: $comparisons comparisons, seed $seed"
LLMROUTE_DIFFERENTIAL_COMPARISONS="$comparisons" LLMROUTE_DIFFERENTIAL_SEED="$seed" \
  "$build/tests/llmroute_tests" --gtest_filter='Differential.*'
