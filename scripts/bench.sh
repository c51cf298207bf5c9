#!/usr/bin/env bash
# Builds the benchmarks (Release), runs them with repetitions and the callgrind driver,
# and prints the README's performance table (medians, ratios, instructions per resolve).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMROUTE_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target resolve_bench body_model_bench callgrind_driver

out=build-bench/results
mkdir -p "$out"
build-bench/bench/resolve_bench --benchmark_repetitions="${REPETITIONS:-5}" \
  --benchmark_report_aggregates_only=true --benchmark_min_time="${MIN_TIME:-0.3}" \
  --benchmark_out="$out/resolve_bench.json" --benchmark_out_format=json

# Instructions per resolve: the difference of two runs divided by the extra resolves, so
# setup and warm-up cancel out.
: > "$out/callgrind.txt"
for workload in floor model header; do
  for n in 10 4000; do
    counts=()
    for count in 2000 12000; do
      counts+=("$(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \
        build-bench/bench/callgrind_driver "$workload" "$n" "$count" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')")
    done
    echo "$workload $n $(( (counts[1] - counts[0]) / 10000 ))" >> "$out/callgrind.txt"
  done
done

python3 bench/report.py "$out/resolve_bench.json" "$out/callgrind.txt"

# Reading the model from request bodies: bytes per second, in place vs copied vs a DOM parse.
build-bench/bench/body_model_bench --benchmark_repetitions="${REPETITIONS:-5}" \
  --benchmark_report_aggregates_only=true --benchmark_min_time="${MIN_TIME:-0.3}" |
  grep -E '_median|^Benchmark'
