// libFuzzer harness for LoadConfigText + Compile on arbitrary text.
//
// Checked, beyond "no crash, hang, leak or undefined behaviour":
//   - a rejected config gets one non-empty message that names the file (every
//     error names where it is) and says "error"; with LLMROUTE_FUZZ_ONE_LINE_ERRORS set
//     in the environment, also that it is one line of text (no control bytes);
//   - a config that compiles can be used: a few requests are resolved and explained, the
//     models and warnings listed, and every decision is self-consistent
//     (docs/routing.md#decision).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "llmroute/decision.h"
#include "llmroute/explain.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace {

#define CHECK_OR_ABORT(condition)                                                       \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

constexpr std::string_view kFileName = "fuzz.yaml";

void CheckError(const absl::Status& status) {
  const std::string_view message(status.message().data(), status.message().size());
  if (message.empty() || message.substr(0, kFileName.size()) != kFileName ||
      message.find("error") == std::string_view::npos) {
    std::fprintf(stderr, "error message does not say where: \"%.*s\"\n",
                 static_cast<int>(message.size()), message.data());
    std::abort();
  }
  static const bool one_line = std::getenv("LLMROUTE_FUZZ_ONE_LINE_ERRORS") != nullptr;
  if (one_line) {
    for (char c : message) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        std::fprintf(stderr, "error message holds control byte 0x%02x: \"%.*s\"\n",
                     static_cast<unsigned char>(c), static_cast<int>(message.size()),
                     message.data());
        std::abort();
      }
    }
  }
}

void CheckDecision(const llmroute::Decision& d) {
  CHECK_OR_ABORT(d.http_status == llmroute::HttpStatusOf(d.status));
  const bool routed = d.status == llmroute::DecisionStatus::kRouted;
  CHECK_OR_ABORT(routed == d.backend.has_value());
  CHECK_OR_ABORT(routed == d.reason.empty());
  if (routed) CHECK_OR_ABORT(d.route.has_value() && d.via != llmroute::Via::kNone);
  if (d.status == llmroute::DecisionStatus::kNoRoute ||
      d.status == llmroute::DecisionStatus::kBadRequest) {
    CHECK_OR_ABORT(!d.route.has_value());
  }
  if (d.via == llmroute::Via::kRule) CHECK_OR_ABORT(d.rule.has_value() && d.match.has_value());
  for (const llmroute::Fallback& fallback : d.fallbacks) {
    // A fallback never repeats the chosen entry (same backend and model override).
    CHECK_OR_ABORT(!(d.backend.has_value() &&
                     fallback.backend.namespace_ == d.backend->namespace_ &&
                     fallback.backend.name == d.backend->name &&
                     fallback.model_override == d.model_override));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<llmroute::Config> config = llmroute::LoadConfigText(text, kFileName);
  if (!config.ok()) {
    CheckError(config.status());
    return 0;
  }
  absl::StatusOr<std::shared_ptr<const llmroute::RoutingTable>> table = llmroute::Compile(*config);
  if (!table.ok()) {
    CheckError(table.status());
    return 0;
  }
  CHECK_OR_ABORT(*table != nullptr);
  const llmroute::RoutingTable& routing = **table;
  (void)routing.warnings();
  (void)routing.models();

  // A few requests built from what the table itself knows: each model it lists.
  const std::string model_header(routing.model_header());
  static constexpr std::string_view kHosts[] = {"", "api.example.com", "a.b.example.com:8080"};
  static constexpr std::string_view kPaths[] = {"/", "/v1/chat/completions?api-version=1&x=%41",
                                                "/v1/models/"};
  std::size_t variant = 0;
  const auto resolve = [&](std::string_view model) {
    const llmroute::Header headers[] = {{model_header, model},
                                        {"x-ai-gateway-backend", model},
                                        {"Content-Type", "application/json"}};
    llmroute::Request request;
    request.method = variant % 2 == 0 ? "POST" : "GET";
    request.host = kHosts[variant % 3];
    request.path = kPaths[(variant / 3) % 3];
    request.headers = headers;
    request.entropy = variant * 0x9E3779B97F4A7C15ull;
    ++variant;
    const llmroute::Decision decision = routing.Resolve(request);
    CheckDecision(decision);
    const std::string explained = llmroute::Explain(routing, request);
    CHECK_OR_ABORT(!explained.empty());
  };
  resolve("");
  std::size_t models = 0;
  for (const llmroute::ModelEntry& entry : routing.models()) {
    if (++models > 8) break;
    resolve(entry.model);
  }
  return 0;
}
