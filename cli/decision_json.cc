#include "decision_json.h"

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "json_string.h"

namespace llmroute::cli {
namespace {

void AppendNull(std::string& out) { out += "null"; }

void AppendName(std::string& out, const NamespacedName& name) {
  out += "{\"namespace\": ";
  AppendJsonString(out, name.namespace_);
  out += ", \"name\": ";
  AppendJsonString(out, name.name);
  out += '}';
}

void AppendOptionalName(std::string& out, const std::optional<NamespacedName>& name) {
  if (name.has_value()) {
    AppendName(out, *name);
  } else {
    AppendNull(out);
  }
}

void AppendOptionalString(std::string& out, const std::optional<std::string_view>& text) {
  if (text.has_value()) {
    AppendJsonString(out, *text);
  } else {
    AppendNull(out);
  }
}

void AppendOptionalIndex(std::string& out, const std::optional<uint32_t>& index) {
  if (index.has_value()) {
    absl::StrAppend(&out, *index);
  } else {
    AppendNull(out);
  }
}

}  // namespace

void AppendDecisionJson(std::string& out, const Decision& decision) {
  out += "{\"status\": ";
  AppendJsonString(out, StatusName(decision.status));
  absl::StrAppend(&out, ", \"http_status\": ", decision.http_status, ", \"via\": ");
  if (decision.via == Via::kNone) {
    AppendNull(out);
  } else {
    AppendJsonString(out, ViaName(decision.via));
  }
  out += ", \"backend\": ";
  AppendOptionalName(out, decision.backend);
  out += ", \"route\": ";
  AppendOptionalName(out, decision.route);
  out += ", \"rule\": ";
  AppendOptionalIndex(out, decision.rule);
  out += ", \"rule_name\": ";
  AppendOptionalString(out, decision.rule_name);
  out += ", \"match\": ";
  AppendOptionalIndex(out, decision.match);
  out += ", \"model\": ";
  AppendOptionalString(out, decision.model);
  out += ", \"model_override\": ";
  AppendOptionalString(out, decision.model_override);
  out += ", \"fallbacks\": [";
  bool first = true;
  for (const Fallback& fallback : decision.fallbacks) {
    if (!first) out += ", ";
    first = false;
    AppendName(out, fallback.backend);
  }
  out += "], \"reason\": ";
  if (decision.status == DecisionStatus::kRouted || decision.reason.empty()) {
    AppendNull(out);
  } else {
    AppendJsonString(out, decision.reason);
  }
  out += ", \"affinity\": ";
  out += decision.affinity ? "true" : "false";
  out += ", \"panic\": ";
  out += decision.panic ? "true" : "false";
  out += ", \"retry\": ";
  if (decision.retry == nullptr) {
    AppendNull(out);
  } else {
    out += "{\"codes\": [";
    for (std::size_t i = 0; i < decision.retry->codes.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ", decision.retry->codes[i]);
    }
    absl::StrAppend(&out, "], \"attempts\": ", decision.retry->attempts,
                    ", \"backoff_ms\": ", decision.retry->backoff_ms, "}");
  }
  out += '}';
}

void AppendNextAttemptJson(std::string& out, const Decision& decision, const Fallback* next) {
  out += "{\"decision\": ";
  AppendDecisionJson(out, decision);
  out += ", \"next\": ";
  if (next == nullptr) {
    AppendNull(out);
  } else {
    out += "{\"backend\": ";
    AppendName(out, next->backend);
    out += ", \"model_override\": ";
    AppendOptionalString(out, next->model_override);
    out += '}';
  }
  out += '}';
}

void AppendModelsJson(std::string& out, std::span<const ModelEntry> models) {
  out += "{\"object\": \"list\", \"data\": [";
  bool first = true;
  for (const ModelEntry& entry : models) {
    if (!first) out += ", ";
    first = false;
    out += "{\"id\": ";
    AppendJsonString(out, entry.model);
    absl::StrAppend(&out, ", \"object\": \"model\", \"created\": ", entry.created,
                    ", \"owned_by\": ");
    AppendJsonString(out, entry.owned_by);
    out += '}';
  }
  out += "]}";
}

}  // namespace llmroute::cli
