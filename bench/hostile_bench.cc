// Hostile requests: the cost of one resolve must stay linear in the request's size with a
// small constant, whatever the table. Each row resolves one oversized request on a
// realistic table (bench/workloads.h) and reports bytes per second of the hostile part;
// `hostile/ByteLoop` is the floor to compare with: one pass over the same number of bytes
// in a plain loop. A row meets its bound when its time is within a few byte loops of its
// size plus one normal resolve (`hostile/NormalResolve`).
//
//   cmake --build build --target hostile_bench && build/bench/hostile_bench
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "allocation_counter.h"  // reports allocations per call
#include "benchmark/benchmark.h"
#include "workloads.h"

namespace llmroute::bench {
namespace {

constexpr std::size_t k64KiB = 64 << 10;
constexpr std::size_t k1MiB = 1 << 20;

// One request whose strings live here; `bytes` is the size of its hostile part.
struct Hostile {
  std::shared_ptr<const RoutingTable> table;
  OwnedRequest owned;
  std::string body;  // with kBodyPaddingBytes spare bytes after `body_size`
  std::size_t body_size = 0;
  Request request;
  std::size_t bytes = 0;

  void Finish() {
    request = owned.View();
    if (body_size > 0) {
      request.body = std::string_view(body.data(), body_size);
      request.body_padding = body.size() - body_size;
    }
  }
};

void Run(benchmark::State& state, Hostile& h) {
  // Warms the per-thread scratch; `routed` says whether the request found its backend.
  state.counters["routed"] = h.table->Resolve(h.request).status == DecisionStatus::kRouted;
  const uint64_t allocations_before = AllocationsOnThisThread();
  for (auto _ : state) benchmark::DoNotOptimize(h.table->Resolve(h.request));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * h.bytes));
  state.counters["bytes"] = static_cast<double>(h.bytes);
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(AllocationsOnThisThread() - allocations_before) / state.iterations());
}

// The Gateway API mix plus a route whose PathPrefix rules sit on `/a` segment boundaries.
std::shared_ptr<const RoutingTable> PrefixTable() {
  static const auto table = CompileOrDie(
      GatewayMixYaml() +
      "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: prefixes}\n"
      "spec:\n  hostnames: [svc-0.example.com]\n  rules:\n"
      "  - matches: [{path: {type: PathPrefix, value: /a/a/a/b}}]\n    backendRefs: [{name: deep}]\n"
      "  - matches: [{path: {type: PathPrefix, value: /a/a}}, {path: {type: PathPrefix, value: /a/ab}}]\n"
      "    backendRefs: [{name: shallow}]\n"
      "  - matches: [{path: {type: RegularExpression, value: '/a/b.*'}}]\n    backendRefs: [{name: re}]\n");
  return table;
}

std::shared_ptr<const RoutingTable> ModelTable() {
  static const auto table = CompileOrDie(ModelRoutingYaml(1000, true));
  return table;
}

void BM_Hostile_ByteLoop(benchmark::State& state) {
  const std::string bytes(static_cast<std::size_t>(state.range(0)), 'a');
  for (auto _ : state) {
    std::size_t count = 0;
    for (const char c : bytes) {
      benchmark::DoNotOptimize(count += (c == '/'));  // one dependent step per byte
    }
    benchmark::DoNotOptimize(count);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_Hostile_ByteLoop)->Name("hostile/ByteLoop")->Arg(k64KiB)->Arg(k1MiB);

void BM_Hostile_NormalResolve(benchmark::State& state) {
  static Hostile h;
  if (!h.table) {
    h.table = ModelTable();
    std::mt19937_64 rng(1);
    AddRealisticHeaders(h.owned, rng, {{"x-ai-eg-model", "model-7"}});
    h.Finish();
    h.bytes = 1;
  }
  Run(state, h);
}
BENCHMARK(BM_Hostile_NormalResolve)->Name("hostile/NormalResolve");

// A GET to svc-0.example.com on PrefixTable(): the path and how many of its bytes are the
// hostile part, for a size.
using PathMaker = std::pair<std::string, std::size_t> (*)(std::size_t size);

// Resolves the request whose path `make` builds for the benchmark's argument (built once
// per maker and argument).
void RunPrefixTablePath(benchmark::State& state, PathMaker make) {
  static std::map<std::pair<PathMaker, int64_t>, Hostile> requests;
  Hostile& h = requests[{make, state.range(0)}];
  if (!h.table) {
    h.table = PrefixTable();
    h.owned.host = "svc-0.example.com";
    h.owned.method = "GET";
    std::tie(h.owned.path, h.bytes) = make(static_cast<std::size_t>(state.range(0)));
    std::mt19937_64 rng(1);
    AddRealisticHeaders(h.owned, rng, {});
    h.Finish();
  }
  Run(state, h);
}

void BM_Hostile_Path(benchmark::State& state) {
  RunPrefixTablePath(state, [](std::size_t size) {
    std::string path;
    while (path.size() < size) path += "/a";
    return std::pair(path, path.size());
  });
}
// 16 KiB beside 64 KiB: a linear cost grows 4 times, a quadratic one 16 times.
BENCHMARK(BM_Hostile_Path)->Name("hostile/Path")->Arg(k64KiB / 4)->Arg(k64KiB);

void BM_Hostile_Headers1000(benchmark::State& state) {
  static Hostile h;
  if (!h.table) {
    h.table = ModelTable();
    std::mt19937_64 rng(1);
    std::vector<std::pair<std::string, std::string>> routing = {{"x-ai-eg-model", "model-7"}};
    for (int i = 0; i < 999; ++i) routing.push_back({"x-custom-" + std::to_string(i), "value-" + std::to_string(i)});
    AddRealisticHeaders(h.owned, rng, routing);
    h.Finish();
    for (const auto& [name, value] : h.owned.header_storage) h.bytes += name.size() + value.size();
  }
  Run(state, h);
}
BENCHMARK(BM_Hostile_Headers1000)->Name("hostile/Headers1000");

void BM_Hostile_RepeatedModelHeaders100(benchmark::State& state) {
  static Hostile h;
  if (!h.table) {
    h.table = ModelTable();
    std::mt19937_64 rng(1);
    std::vector<std::pair<std::string, std::string>> routing;
    for (int i = 0; i < 100; ++i) routing.push_back({"X-AI-EG-Model", "model-" + std::to_string(i)});
    routing.push_back({"x-ai-gateway-backend", "backend-3"});  // the standard header, allowed
    AddRealisticHeaders(h.owned, rng, routing);
    h.Finish();
    for (const auto& [name, value] : routing) h.bytes += name.size() + value.size();
  }
  Run(state, h);
}
BENCHMARK(BM_Hostile_RepeatedModelHeaders100)->Name("hostile/RepeatedModelHeaders100");

void BM_Hostile_HeaderValue1MiB(benchmark::State& state) {
  static Hostile h;
  if (!h.table) {
    h.table = ModelTable();
    std::mt19937_64 rng(1);
    // The model header, which the table reads and indexes: 1 MiB of "model-7model-7...".
    std::string value;
    while (value.size() < k1MiB) value += "model-7";
    value.resize(k1MiB);
    AddRealisticHeaders(h.owned, rng, {{"x-ai-eg-model", value}});
    h.Finish();
    h.bytes = value.size();
  }
  Run(state, h);
}
BENCHMARK(BM_Hostile_HeaderValue1MiB)->Name("hostile/HeaderValue1MiB");

// A query of `size` bytes of `parameter(i)` for i = 0, 1, ..., then the parameter the
// table's rules read.
template <typename Parameter>
std::pair<std::string, std::size_t> QueryPath(std::size_t size, Parameter parameter) {
  std::string query;
  for (int i = 0; query.size() < size; ++i) query += parameter(i);
  query += "tenant=t3";  // the parameter the table's rules read, last
  return {"/q/search?" + query, query.size()};
}

void BM_Hostile_Query(benchmark::State& state) {
  RunPrefixTablePath(state, [](std::size_t size) {
    return QueryPath(size, [](int i) {
      const std::string n = std::to_string(i);
      return "k" + n + "=v%20" + n + "&";
    });
  });
}
BENCHMARK(BM_Hostile_Query)->Name("hostile/Query")->Arg(k64KiB / 4)->Arg(k64KiB);

// Every parameter a name of the routed parameter's length: none is skipped by its length,
// each is compared with the configured name. Not held to the bound; linear.
void BM_Hostile_QuerySameLengthNames(benchmark::State& state) {
  RunPrefixTablePath(state, [](std::size_t size) {
    return QueryPath(size, [](int) { return std::string("tenanx=1&"); });
  });
}
BENCHMARK(BM_Hostile_QuerySameLengthNames)
    ->Name("hostile/QuerySameLengthNames")
    ->Arg(k64KiB / 4)
    ->Arg(k64KiB);

void BM_Hostile_Body1MiBModelLast(benchmark::State& state) {
  static Hostile h;
  if (!h.table) {
    h.table = ModelTable();
    std::mt19937_64 rng(1);
    AddRealisticHeaders(h.owned, rng, {});
    // Exactly 1 MiB (larger bodies take the library's separate large-body path).
    const std::string tail = "], \"model\": \"model-7\"}";
    std::string body = "{\"messages\": [";
    for (int i = 0;; ++i) {
      const std::string message = std::string(i ? "," : "") + "{\"role\": \"user\", \"content\": \"message " +
                                  std::to_string(i) + " with some words, \\\"quotes\\\" and \\u00e9scapes\"}";
      if (body.size() + message.size() + tail.size() > k1MiB) break;
      body += message;
    }
    body += std::string(k1MiB - body.size() - tail.size(), ' ') + tail;
    h.body_size = body.size();
    h.body = body + std::string(kBodyPaddingBytes, ' ');
    h.Finish();
    h.bytes = h.body_size;
  }
  Run(state, h);
}
BENCHMARK(BM_Hostile_Body1MiBModelLast)->Name("hostile/Body1MiBModelLast");

}  // namespace
}  // namespace llmroute::bench

BENCHMARK_MAIN();
