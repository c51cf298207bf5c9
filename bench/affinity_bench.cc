// Session affinity and backend health: the cost of resolve with a key (header or body
// field) over tiers of 2, 8 and 64 backends, and with a health view holding none, one or
// half of the backends down — beside plain resolve and the floor baseline.
#include <memory>

#include "baselines.h"
#include "bench_loop.h"
#include "benchmark/benchmark.h"
#include "workloads.h"

namespace llmroute::bench {
namespace {

void Affinity(benchmark::State& state, bool body_field) {
  Workload w;
  w.table = CompileOrDie(AffinityYaml(state.range(0), body_field));
  w.owned = AffinityRequests(kRequests, 17, body_field);
  w.requests = Views(w.owned);
  RunOver(state, w.requests, [&](const Request& r) { return w.table->Resolve(r).backend; });
}
void BM_Affinity_Header(benchmark::State& state) { Affinity(state, false); }
void BM_Affinity_BodyField(benchmark::State& state) { Affinity(state, true); }
BENCHMARK(BM_Affinity_Header)->Arg(2)->Arg(8)->Arg(64);
BENCHMARK(BM_Affinity_BodyField)->Arg(2)->Arg(8)->Arg(64);

// The same body requests, on a table without affinity: what reading the body costs alone.
void BM_Affinity_BodyWithoutAffinity(benchmark::State& state) {
  Workload w;
  w.table = CompileOrDie(HealthYaml());
  w.owned = AffinityRequests(kRequests, 17, true);
  w.requests = Views(w.owned);
  RunOver(state, w.requests, [&](const Request& r) { return w.table->Resolve(r).backend; });
}
BENCHMARK(BM_Affinity_BodyWithoutAffinity);

// 0: no view; 1: a view with nothing marked; 2: one mark on a backend of another table;
// 3: one of the 8 down; 4: half of them down.
void BM_Health_Resolve(benchmark::State& state) {
  Workload w;
  w.table = CompileOrDie(HealthYaml());
  w.owned = HealthRequests(kRequests, 19);
  w.requests = Views(w.owned);
  HealthView health;
  const int64_t mode = state.range(0);
  if (mode == 2) (void)health.MarkDown("elsewhere", "backend");
  if (mode >= 3) (void)health.MarkDown("default", "healthy-3");
  if (mode == 4) {
    for (const char* name : {"healthy-0", "healthy-5", "healthy-6"}) (void)health.MarkDown("default", name);
  }
  for (Request& r : w.requests) r.health = mode == 0 ? nullptr : &health;
  RunOver(state, w.requests, [&](const Request& r) { return w.table->Resolve(r).backend; });
}
BENCHMARK(BM_Health_Resolve)->ArgName("mode")->DenseRange(0, 4);

// The floor baseline of resolve_bench on the same kind of request.
void BM_Affinity_Floor(benchmark::State& state) {
  auto owned = HealthRequests(kRequests, 19);
  auto requests = Views(owned);
  FloorRouter floor;
  floor.Add("chat", 0);
  RunOver(state, requests, [&](const Request& r) { return floor.Route(r); });
}
BENCHMARK(BM_Affinity_Floor);

}  // namespace
}  // namespace llmroute::bench

BENCHMARK_MAIN();
