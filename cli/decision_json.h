// The JSON lines the CLI prints: decisions (`resolve`) and the models list (`models`).
//
// A decision is one line, always with the same fields in the same order:
//
//   {"status": "routed", "http_status": 200, "via": "rule",
//    "backend": {"namespace": "ns", "name": "b"}, "route": {"namespace": "ns", "name": "r"},
//    "rule": 0, "rule_name": null, "match": 0, "model": "gpt-4o", "model_override": null,
//    "fallbacks": [{"namespace": "ns", "name": "b2"}], "reason": null,
//    "retry": {"codes": [429, 503], "attempts": 2, "backoff_ms": 100}}
//
// (without the line breaks shown here). Absent values are `null`; `via` is null unless the
// decision is routed or backend_not_allowed; `reason` is null for a routed decision;
// `fallbacks` is always a list; `retry` is the rule's policy or null.
#ifndef LLMROUTE_CLI_DECISION_JSON_H_
#define LLMROUTE_CLI_DECISION_JSON_H_

#include <span>
#include <string>

#include "llmroute/decision.h"
#include "llmroute/table.h"

namespace llmroute::cli {

// Appends `decision` as one JSON object, without a line ending.
void AppendDecisionJson(std::string& out, const Decision& decision);

// Appends the answer of `llmroute next`, one JSON object without a line ending:
//   {"decision": <as AppendDecisionJson>, "next": {"backend": {"namespace": "ns",
//    "name": "b2"}, "model_override": "m" or null} or null}
void AppendNextAttemptJson(std::string& out, const Decision& decision, const Fallback* next);

// Appends the models list as OpenAI's `/v1/models` answers it, one JSON object without a
// line ending:
//   {"object": "list", "data": [{"id": "gpt-4o", "object": "model", "created": 1714000000,
//    "owned_by": "Envoy AI Gateway"}]}
void AppendModelsJson(std::string& out, std::span<const ModelEntry> models);

}  // namespace llmroute::cli

#endif  // LLMROUTE_CLI_DECISION_JSON_H_
