// The cost of one decision through the C ABI (libllmroute.so) beside the bare C++ call, on
// the same request: the quick-start configuration, a POST naming its backend in the
// standard header (and the model header), and a model-routed request with fixed entropy.
// The LuaJIT, Lua C module and Python timings of the same requests are
// bindings/lua/bench.lua and bindings/python/bench.py.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "llmroute/c.h"
#include "llmroute/load.h"
#include "llmroute/table.h"

namespace {

const char* const kConfig = LLMROUTE_EXAMPLES_DIR "/quickstart.yaml";

struct Case {
  const char* name;
  std::vector<std::pair<std::string, std::string>> headers;
};

const Case kCases[] = {
    {"standard_header",
     {{"x-ai-eg-model", "llama-3-70b"}, {"x-ai-gateway-backend", "llama-cloud"}}},
    {"model_rule", {{"x-ai-eg-model", "llama-3-70b"}}},
};

llmroute_table_t* CTable() {
  static llmroute_table_t* table = [] {
    llmroute_table_t* t = nullptr;
    char* error = nullptr;
    if (llmroute_table_compile_file(nullptr, kConfig, std::strlen(kConfig), &t, &error) !=
        LLMROUTE_OK) {
      std::fprintf(stderr, "%s\n", error);
      std::abort();
    }
    return t;
  }();
  return table;
}

void BM_CApi(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  std::vector<llmroute_header_t> headers;
  for (const auto& [name, value] : c.headers) {
    headers.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
  }
  llmroute_request_t request;
  std::memset(&request, 0, sizeof(request));
  request.struct_size = sizeof(request);
  request.method = {"POST", 4};
  request.path = {"/v1/chat/completions", 20};
  request.headers = headers.data();
  request.header_count = headers.size();
  request.entropy = 7;
  request.has_entropy = 1;
  llmroute_decision_t decision;
  std::memset(&decision, 0, sizeof(decision));
  decision.struct_size = sizeof(decision);
  llmroute_table_t* table = CTable();
  for (auto _ : state) {
    llmroute_resolve(table, &request, &decision);
    benchmark::DoNotOptimize(decision);
  }
  if (decision.status != LLMROUTE_STATUS_ROUTED) state.SkipWithError("not routed");
  state.SetLabel(c.name);
}
BENCHMARK(BM_CApi)->Arg(0)->Arg(1);

void BM_CppApi(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  static const std::shared_ptr<const llmroute::RoutingTable> table = [] {
    return *llmroute::Compile(*llmroute::LoadConfigFile(kConfig));
  }();
  std::vector<llmroute::Header> headers;
  for (const auto& [name, value] : c.headers) headers.push_back({name, value});
  llmroute::Request request;
  request.method = "POST";
  request.path = "/v1/chat/completions";
  request.headers = headers;
  request.entropy = 7;
  for (auto _ : state) {
    llmroute::Decision decision = table->Resolve(request);
    benchmark::DoNotOptimize(decision);
  }
  state.SetLabel(c.name);
}
BENCHMARK(BM_CppApi)->Arg(0)->Arg(1);

}  // namespace
BENCHMARK_MAIN();
