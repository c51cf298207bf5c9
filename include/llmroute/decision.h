// The answer of `resolve`: which backend gets the request, and why. Each status, its HTTP
// status and which fields it reports: docs/routing.md#decision.
//
// A Decision is a small value of views. What each view points into, in every case:
//   - `backend`, `route`, `rule_name`, `model_override`, `mutations`, `retry`: the
//     RoutingTable that produced it; valid while that table is alive (see
//     llmroute/holder.h for tables resolved through a holder).
//   - `fallbacks`: its entries (backends and their overrides) point into the table. The
//     list itself is the table's too, except in two cases where it is a buffer of the
//     calling thread (at most kMaxBackendRefsPerRule entries) that the same thread's next
//     resolve overwrites: an affinity decision (its fallbacks are in score order, which
//     depends on the key), and a decision made with a health view while some backend of
//     the rule was down. Copy the list before resolving again on the same thread.
//   - `reason`: the table, or a string with static storage (an unusable body's reason);
//     valid at least as long as the table.
//   - `model`, the one view that may point outside the table:
//       * the model header sent once: into that header's value in the request;
//       * a body whose "model" string has no JSON escapes: into the request's body;
//       * a body whose "model" string has escapes (decoded), or the model header sent
//         several times (its values joined by ","): into a buffer of the calling thread,
//         which that thread's next resolve or explain (of any table) overwrites. Other
//         threads' calls leave it alone.
//     So it is valid while the request's header values and body are, and, in the last
//     case, until the same thread resolves (or explains) again: copy it first if you need
//     it longer.
// The other fields are plain values.
#ifndef LLMROUTE_DECISION_H_
#define LLMROUTE_DECISION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace llmroute {

enum class DecisionStatus : uint8_t {
  kRouted,             // 200: a backend was chosen
  kNoRoute,            // 404: no rule matched and no standard header applied
  kBackendNotAllowed,  // 400: the standard header named a backend the route refuses (Reject)
  kBadRequest,         // 400: conflicting standard header values; unusable body
  kNoBackend,          // 500: the matched rule has no selectable backend
};

enum class Via : uint8_t {
  kNone,            // no_route, bad_request and no_backend
  kRule,            // a rule matched
  kStandardHeader,  // the standard routing header decided
};

// "routed", "no_route", "backend_not_allowed", "bad_request", "no_backend".
std::string_view StatusName(DecisionStatus status);
// 200, 404, 400, 400, 500.
int HttpStatusOf(DecisionStatus status);
// "rule", "standard_header"; kNone: "".
std::string_view ViaName(Via via);

// What a backendRef points at: a backend (an AIServiceBackend, LLMBackend or Service: the
// backendRef has no `group`/`kind`), or an InferencePool (`group:
// inference.networking.k8s.io`, `kind: InferencePool`), whose endpoint picker then chooses
// the pod. Both are routed alike; the proxy hands a pool's requests to its picker.
enum class BackendRefKind : uint8_t { kBackend, kInferencePool };

// "Backend", "InferencePool".
std::string_view BackendRefKindName(BackendRefKind kind);

struct NamespacedName {
  std::string_view namespace_;
  std::string_view name;
};

// What the proxy changes in the request before sending it to the chosen backend: the
// chosen backendRef's `headerMutation` and `bodyMutation`, validated by Compile. Views into
// the table.
struct BackendMutations {
  struct Header {
    std::string_view name;  // an HTTP token as written; compare case-insensitively
    std::string_view value;
  };
  struct BodyField {
    std::string_view path;   // a top-level field name of the JSON body
    std::string_view value;  // valid JSON text, as written
  };
  std::span<const Header> header_set;          // set each, replacing any value sent
  std::span<const std::string_view> header_remove;
  std::span<const BodyField> body_set;         // set each top-level field, replacing it
  std::span<const std::string_view> body_remove;
};

// One entry of a decision's fallbacks: a backend and that backendRef's modelNameOverride
// (the model name to send it; a fallback in another priority tier often serves the same
// model under another name).
struct Fallback {
  NamespacedName backend;
  std::optional<std::string_view> model_override;
};

// A rule's retry policy (Gateway API HTTPRouteRetry). Views into the table.
struct RetryPolicy {
  std::span<const uint16_t> codes;  // HTTP statuses that may be retried, as configured
  uint32_t attempts = 1;            // retries after the first try, 0-16
  uint64_t backoff_ms = 0;          // the wait before each retry
};

struct Decision {
  DecisionStatus status = DecisionStatus::kNoRoute;
  int http_status = 404;
  Via via = Via::kNone;
  std::optional<NamespacedName> backend;        // routed only
  std::optional<NamespacedName> route;          // the route that decided, when known
  std::optional<uint32_t> rule;                 // index in the route's spec.rules
  std::optional<std::string_view> rule_name;    // the rule's name, if it has one
  std::optional<uint32_t> match;                // index in the rule's matches (0: implicit)
  std::optional<std::string_view> model;        // the model (header or body); see above
  std::optional<std::string_view> model_override;  // chosen backendRef's modelNameOverride
  std::span<const Fallback> fallbacks;          // retry order; empty when none
  std::string_view reason;                      // empty when routed
  // Routed only: what `backend` is (an InferencePool or a plain backend), and the chosen
  // backendRef's mutations (null when it has none, and for the standard header, which
  // names a backend rather than a backendRef).
  BackendRefKind backend_kind = BackendRefKind::kBackend;
  const BackendMutations* mutations = nullptr;
  // The winning rule's retry policy: routed by a rule whose `retry` is written; null
  // otherwise (no `retry`, the standard header, and every decision that is not routed).
  const RetryPolicy* retry = nullptr;
  // The rule's session affinity key chose the backend (false: entropy, the standard
  // header, or not routed).
  bool affinity = false;
  // Every backend of the winning rule with a positive weight was down in the request's
  // health view, so the view was ignored for this decision.
  bool panic = false;
};

// The value a proxy sets in the model header of the upstream request, always replacing
// what the client sent: the chosen backendRef's modelNameOverride when it has one, else
// the decided model; nullopt when the decision knows no model (then the proxy sends no
// model header). The view is the decision's `model_override` or `model`, valid as long
// as that field is.
std::optional<std::string_view> UpstreamModel(const Decision& decision);

// The next try of a request after `attempts_made` (>= 1) tries, the last of which ended
// with `last_status` (its HTTP status, or 0 for a connection failure or timeout):
// `fallbacks[attempts_made - 1]` when the decision has a retry policy, attempts_made <=
// its `attempts`, last_status is 0 or one of its `codes`, and that fallback exists;
// otherwise null (do not retry). The pointer is into `decision.fallbacks`, valid as long
// as they are. Pure: no allocation, no lock; any thread.
const Fallback* NextAttempt(const Decision& decision, uint32_t attempts_made, int last_status);

}  // namespace llmroute

#endif  // LLMROUTE_DECISION_H_
