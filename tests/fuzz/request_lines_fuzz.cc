// libFuzzer harness for the CLI's JSON Lines request parser (cli/request_lines.cc) and its
// decision output (cli/decision_json.cc).
//
// The input is split at its first "\n" into lines, each parsed with one reused parser (as
// `llmroute resolve --requests` does). Checked:
//   - Parse never crashes; a rejected line gets a non-empty message;
//   - an accepted line resolves against the quick-start table, and the decision line the
//     CLI would print is valid JSON (whatever bytes the request held) with its fields;
//   - the views Parse returns stay inside the parser's buffers (ASan: exactly sized copies).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "decision_json.h"
#include "llmroute/decision.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"
#include "request_lines.h"
#include "simdjson.h"

namespace {

#define CHECK_OR_ABORT(condition)                                                       \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

constexpr char kConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: quickstart, namespace: default}
spec:
  schema: {name: OpenAI}
  hostnames: ["*.example.com"]
  standardRoutingHeader: {enabled: true, allowedBackends: Explicit, backends: [openai, llama-cloud]}
  rules:
  - name: "mini \"quoted\" \u00e9"
    matches:
    - headers: [{type: Exact, name: x-ai-eg-model, value: gpt-4o-mini}]
    backendRefs: [{name: openai, weight: 1, modelNameOverride: "gpt-4o-mini\t2024"}]
  - matches:
    - headers: [{type: RegularExpression, name: x-ai-eg-model, value: "llama-.*"}]
    backendRefs: [{name: llama-local, weight: 80}, {name: llama-cloud, weight: 20}]
  - matches:
    - path: {type: PathPrefix, value: /v1/embeddings}
    backendRefs: [{name: none, weight: 0}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: fallback, namespace: default}
spec:
  schema: {name: OpenAI}
  rules:
  - matches: [{path: {type: Exact, value: /}}]
    backendRefs: [{name: root}]
)";

const llmroute::RoutingTable& Table() {
  static const std::shared_ptr<const llmroute::RoutingTable> table = [] {
    absl::StatusOr<llmroute::Config> config = llmroute::LoadConfigText(kConfig, "lines.yaml");
    CHECK_OR_ABORT(config.ok());
    absl::StatusOr<std::shared_ptr<const llmroute::RoutingTable>> compiled =
        llmroute::Compile(*config);
    CHECK_OR_ABORT(compiled.ok());
    return *compiled;
  }();
  return *table;
}

void CheckDecisionJson(const llmroute::Decision& decision) {
  std::string line;
  llmroute::cli::AppendDecisionJson(line, decision);
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::error_code error = parser.parse(line).get(root);
  if (error != simdjson::SUCCESS) {
    std::fprintf(stderr, "decision line is not valid JSON (%s): %s\n",
                 simdjson::error_message(error), line.c_str());
    std::abort();
  }
  simdjson::dom::object object;
  CHECK_OR_ABORT(root.get_object().get(object) == simdjson::SUCCESS);
  for (const char* field : {"status", "http_status", "via", "backend", "route", "rule",
                            "rule_name", "match", "model", "model_override", "fallbacks",
                            "reason"}) {
    CHECK_OR_ABORT(object[field].error() == simdjson::SUCCESS);
  }
  int64_t http_status = 0;
  CHECK_OR_ABORT(object["http_status"].get_int64().get(http_status) == simdjson::SUCCESS);
  CHECK_OR_ABORT(http_status == decision.http_status);
  CHECK_OR_ABORT(object["fallbacks"].is_array());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static llmroute::cli::RequestLineParser* parser = new llmroute::cli::RequestLineParser;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (true) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line_view = rest.substr(0, newline);
    // An exactly sized copy: any read past the line is a heap overflow.
    std::unique_ptr<char[]> line(new char[line_view.size() + 1]);
    std::copy(line_view.begin(), line_view.end(), line.get());
    llmroute::Request request;
    const absl::Status status =
        parser->Parse(std::string_view(line.get(), line_view.size()), request);
    line.reset();  // the request must not point into the caller's line
    if (!status.ok()) {
      CHECK_OR_ABORT(status.code() == absl::StatusCode::kInvalidArgument);
      CHECK_OR_ABORT(!status.message().empty());
      llmroute::Decision bad;
      bad.status = llmroute::DecisionStatus::kBadRequest;
      bad.http_status = 400;
      bad.reason = std::string_view(status.message().data(), status.message().size());
      CheckDecisionJson(bad);
    } else {
      const llmroute::Decision decision = Table().Resolve(request);
      CheckDecisionJson(decision);
    }
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  return 0;
}
