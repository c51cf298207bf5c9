// The measuring loop the resolve benchmarks share: precomputed requests, routed one per
// iteration, with heap allocations per call reported as a counter. Include it in the one
// source file of a benchmark program (it includes allocation_counter.h, which defines the
// replaced operator new).
#ifndef LLMROUTE_BENCH_BENCH_LOOP_H_
#define LLMROUTE_BENCH_BENCH_LOOP_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "allocation_counter.h"  // reports allocations per operation
#include "benchmark/benchmark.h"
#include "workloads.h"

namespace llmroute::bench {

inline constexpr int kRequests = 4096;  // a power of two: the loop masks instead of dividing

// Runs `route` over the precomputed requests, reporting allocations per call.
template <typename RouteFn>
void RunOver(benchmark::State& state, const std::vector<Request>& requests, RouteFn route) {
  for (int i = 0; i < 64; ++i) benchmark::DoNotOptimize(route(requests[i % requests.size()]));  // warm up
  const uint64_t allocations_before = AllocationsOnThisThread();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(route(requests[i++ & (kRequests - 1)]));
  }
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(AllocationsOnThisThread() - allocations_before) / state.iterations());
}

// Requests kept alive for the whole run, per workload.
struct Workload {
  std::vector<OwnedRequest> owned;
  std::vector<Request> requests;
  std::shared_ptr<const RoutingTable> table;
};

}  // namespace llmroute::bench

#endif  // LLMROUTE_BENCH_BENCH_LOOP_H_
