// The cost of one routing decision, beside the floor and linear baselines on the same
// precomputed requests (see bench/README section of the top-level README).
#include <map>

#include "baselines.h"
#include "bench_loop.h"
#include "benchmark/benchmark.h"
#include "workloads.h"

namespace llmroute::bench {
namespace {

Workload& ModelWorkload(int n, int kind) {  // kind: 0 model, 1 header allowed, 2 disallowed
  static std::map<std::pair<int, int>, std::unique_ptr<Workload>> cache;
  auto& slot = cache[{n, kind}];
  if (!slot) {
    slot = std::make_unique<Workload>();
    slot->table = CompileOrDie(ModelRoutingYaml(n, kind != 0));
    slot->owned = kind == 0 ? ModelRequests(n, kRequests, 42)
                            : StandardHeaderRequests(n, kRequests, kind == 1, 42);
    slot->requests = Views(slot->owned);
  }
  return *slot;
}

void BM_ModelRouting_Resolve(benchmark::State& state) {
  Workload& w = ModelWorkload(state.range(0), 0);
  RunOver(state, w.requests, [&](const Request& r) { return w.table->Resolve(r).backend; });
}
void BM_ModelRouting_Floor(benchmark::State& state) {
  const int n = state.range(0);
  Workload& w = ModelWorkload(n, 0);
  FloorRouter floor;
  for (int i = 0; i < n; ++i) floor.Add("model-" + std::to_string(i), i);
  RunOver(state, w.requests, [&](const Request& r) { return floor.Route(r); });
}
void BM_ModelRouting_Linear(benchmark::State& state) {
  const int n = state.range(0);
  Workload& w = ModelWorkload(n, 0);
  LinearRouter linear;
  for (int i = 0; i < n; ++i) linear.Add({{"x-ai-eg-model", "model-" + std::to_string(i)}}, i);
  RunOver(state, w.requests, [&](const Request& r) { return linear.Route(r); });
}
BENCHMARK(BM_ModelRouting_Resolve)->Arg(10)->Arg(100)->Arg(1000)->Arg(4000);
BENCHMARK(BM_ModelRouting_Floor)->Arg(10)->Arg(100)->Arg(1000)->Arg(4000);
BENCHMARK(BM_ModelRouting_Linear)->Arg(10)->Arg(100)->Arg(1000)->Arg(4000);

void BM_StandardHeader_Resolve(benchmark::State& state) {
  Workload& w = ModelWorkload(state.range(0), 1);
  RunOver(state, w.requests, [&](const Request& r) { return w.table->Resolve(r).backend; });
}
void BM_StandardHeaderDisallowed_Resolve(benchmark::State& state) {
  Workload& w = ModelWorkload(state.range(0), 2);
  RunOver(state, w.requests, [&](const Request& r) { return w.table->Resolve(r).status; });
}
BENCHMARK(BM_StandardHeader_Resolve)->Arg(10)->Arg(100)->Arg(1000)->Arg(4000);
BENCHMARK(BM_StandardHeaderDisallowed_Resolve)->Arg(10)->Arg(1000);

void BM_Regex_Resolve(benchmark::State& state) {
  static auto table = CompileOrDie(RegexYaml(100));
  static auto owned = RegexRequests(100, kRequests, 7);
  static auto requests = Views(owned);
  RunOver(state, requests, [&](const Request& r) { return table->Resolve(r).backend; });
}
BENCHMARK(BM_Regex_Resolve);

// The same table and requests from one and two threads at once: RE2 objects are shared, so
// both threads take the same RE2 cache lock (a reader lock per search).
void BM_Threads_Regex_Resolve(benchmark::State& state) {
  static auto table = CompileOrDie(RegexYaml(100));
  static auto owned = RegexRequests(100, kRequests, 7);
  static auto requests = Views(owned);
  std::size_t i = state.thread_index() * 997;
  for (int k = 0; k < 64; ++k) benchmark::DoNotOptimize(table->Resolve(requests[i + k]).backend);
  for (auto _ : state) benchmark::DoNotOptimize(table->Resolve(requests[i++ & (kRequests - 1)]).backend);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Threads_Regex_Resolve)->Threads(1)->Threads(2)->UseRealTime();

// The worst a request can do to a regex: `.*a[ab]{20}` has a DFA of about 2^20 states, so
// random 4 KiB values of a/b fill RE2's DFA budget (kMaxRegexMemory), force cache resets
// (under the writer lock) and send RE2 to its NFA, linear in value × program size.
void BM_Threads_RegexHostile_Resolve(benchmark::State& state) {
  static auto table = CompileOrDie(
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\n"
      "metadata: {name: hostile, namespace: default}\nspec:\n  rules:\n"
      "  - matches: [{headers: [{type: RegularExpression, name: x-ai-eg-model, value: '.*a[ab]{20}'}]}]\n"
      "    backendRefs: [{name: b}]\n");
  static auto owned = [] {
    std::mt19937_64 rng(17);
    std::vector<OwnedRequest> requests(64);
    for (OwnedRequest& request : requests) {
      std::string value(4096, 'a');
      for (char& c : value) c = rng() & 1 ? 'a' : 'b';
      AddRealisticHeaders(request, rng, {{"x-ai-eg-model", value}});
    }
    return requests;
  }();
  static auto requests = Views(owned);
  std::size_t i = state.thread_index() * 31;
  for (auto _ : state) benchmark::DoNotOptimize(table->Resolve(requests[i++ & 63]).backend);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * 4096);
}
BENCHMARK(BM_Threads_RegexHostile_Resolve)->Threads(1)->Threads(2)->UseRealTime();

void BM_GatewayMix_Resolve(benchmark::State& state) {
  static auto table = CompileOrDie(GatewayMixYaml());
  static auto owned = GatewayMixRequests(kRequests, 9);
  static auto requests = Views(owned);
  RunOver(state, requests, [&](const Request& r) { return table->Resolve(r).backend; });
}
BENCHMARK(BM_GatewayMix_Resolve);

void BM_Hosts_Resolve(benchmark::State& state) {
  static auto table = CompileOrDie(HostsYaml(1000));
  static auto owned = HostsRequests(1000, kRequests, 11);
  static auto requests = Views(owned);
  RunOver(state, requests, [&](const Request& r) { return table->Resolve(r).backend; });
}
BENCHMARK(BM_Hosts_Resolve);

void BM_Selection_Resolve(benchmark::State& state) {
  static auto table = CompileOrDie(SelectionYaml());
  static auto owned = SelectionRequests(kRequests, 13);
  static auto requests = Views(owned);
  RunOver(state, requests, [&](const Request& r) { return table->Resolve(r).backend; });
}
BENCHMARK(BM_Selection_Resolve);

void BM_Compile_4000Rules(benchmark::State& state) {
  const std::string yaml = ModelRoutingYaml(4000, true);
  for (auto _ : state) benchmark::DoNotOptimize(CompileOrDie(yaml));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * yaml.size());
}
BENCHMARK(BM_Compile_4000Rules)->Unit(benchmark::kMillisecond);

// The two halves of the above: YAML text → Config, and Config → RoutingTable.
void BM_LoadOnly_4000Rules(benchmark::State& state) {
  const std::string yaml = ModelRoutingYaml(4000, true);
  for (auto _ : state) benchmark::DoNotOptimize(LoadConfigText(yaml, "generated.yaml"));
}
BENCHMARK(BM_LoadOnly_4000Rules)->Unit(benchmark::kMillisecond);

void BM_CompileOnly_4000Rules(benchmark::State& state) {
  const absl::StatusOr<Config> config = LoadConfigText(ModelRoutingYaml(4000, true), "generated.yaml");
  for (auto _ : state) benchmark::DoNotOptimize(Compile(*config));
}
BENCHMARK(BM_CompileOnly_4000Rules)->Unit(benchmark::kMillisecond);

void BM_Threads_ModelRouting_Resolve(benchmark::State& state) {
  static Workload* w = [] {
    Workload* workload = &ModelWorkload(1000, 0);
    for (const Request& r : workload->requests) workload->table->Resolve(r);
    return workload;
  }();
  std::size_t i = state.thread_index() * 997;
  for (auto _ : state) benchmark::DoNotOptimize(w->table->Resolve(w->requests[i++ & (kRequests - 1)]).backend);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Threads_ModelRouting_Resolve)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace llmroute::bench

BENCHMARK_MAIN();
