// The configuration model: what the loader reads out of route and backend documents.
//
// Plain values, filled by `LoadConfig*` (llmroute/load.h) or by hand, validated and turned
// into a RoutingTable by `Compile` (llmroute/table.h). Defaults are those of Gateway API;
// fields the loader did not see keep the defaults written here. Each value the compiler
// may reject carries the `Origin` it came from, so its errors can say where.
//
// Thread-safety: plain values; a Config may be read by many threads at once.
#ifndef LLMROUTE_CONFIG_H_
#define LLMROUTE_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmroute/decision.h"
#include "llmroute/diagnostic.h"

namespace llmroute {

// How a path, header or query parameter value is compared.
enum class MatchType {
  kExact,              // whole value, byte for byte
  kPathPrefix,         // paths only: whole segments ("/foo" matches "/foo/bar", not "/foobar")
  kRegularExpression,  // RE2, must match the whole value
};

// "Exact", "PathPrefix", "RegularExpression": the names the config uses.
std::string_view MatchTypeName(MatchType type);

// Which backends the standard routing header may name: the route's allowlist
// (docs/routing.md#standard-header).
enum class AllowedBackends {
  kRulesOnly,      // the backends in this route's backendRefs (any rule)
  kSameNamespace,  // every declared or referenced backend in the route's namespace
  kExplicit,       // exactly the `backends` list
};

// What a route answers when the standard header names a backend it does not allow.
enum class OnDisallowed {
  kReject,    // backend_not_allowed (HTTP 400)
  kUseRules,  // ignore the header; the rules decide
};

enum class RouteKind { kLLMRoute, kAIGatewayRoute, kHTTPRoute };
enum class BackendKind { kLLMBackend, kAIServiceBackend };
// BackendRefKind (what a backendRef points at) is declared in llmroute/decision.h.

// A string from the config with the place it was written.
struct LocatedString {
  std::string value;
  Origin origin;
};

// A header or query-parameter condition.
struct ValueMatch {
  MatchType type = MatchType::kExact;  // kExact or kRegularExpression
  LocatedString name;
  LocatedString value;
  Origin origin;  // the match item itself (`...headers[1]`)
};

struct PathMatch {
  MatchType type = MatchType::kPathPrefix;
  LocatedString value{"/", {}};
};

// One HTTPRouteMatch: every condition must hold (AND).
struct RouteMatch {
  PathMatch path;                        // absent in the config: PathPrefix "/"
  std::optional<LocatedString> method;   // compared exactly, case-sensitively
  std::vector<ValueMatch> headers;
  std::vector<ValueMatch> query_params;
  Origin origin;                         // `spec.rules[i].matches[j]`
};

// A backendRef's `headerMutation`: request headers the proxy sets (replacing) or removes
// before sending the request to this backend.
struct HeaderMutation {
  struct Set {
    LocatedString name;  // an HTTP token; compared case-insensitively
    LocatedString value;
  };
  std::vector<Set> set;
  std::vector<LocatedString> remove;  // header names
};

// A backendRef's `bodyMutation`: top-level fields of the JSON request body the proxy sets
// (replacing) or removes before sending the request to this backend.
struct BodyMutation {
  struct Set {
    LocatedString path;   // a top-level field name
    LocatedString value;  // JSON text: "\"scale\"", "42", "true", "{...}", "null"
  };
  std::vector<Set> set;
  std::vector<LocatedString> remove;  // top-level field names
};

struct BackendRef {
  LocatedString name;
  std::optional<LocatedString> namespace_;  // absent: the route's namespace
  BackendRefKind kind = BackendRefKind::kBackend;
  int64_t weight = 1;                       // >= 0; 0 is never chosen
  int64_t priority = 0;                     // >= 0; 0 is tried first
  std::optional<std::string> model_name_override;
  std::optional<HeaderMutation> header_mutation;
  std::optional<BodyMutation> body_mutation;
  Origin origin;         // `spec.rules[i].backendRefs[k]`
  Origin weight_origin;  // where `weight` was written (or the ref itself)
  Origin priority_origin;
  Origin kind_origin;    // where `kind` was written (or the ref itself)
};

// A rule's `retry` (Gateway API HTTPRouteRetry), validated by the loader.
struct RetryConfig {
  std::vector<uint16_t> codes;  // HTTP statuses 400-599 that may be retried, as written
  uint32_t attempts = 1;        // retries after the first try, 0-16
  uint64_t backoff_ms = 0;      // the wait before each retry
  Origin origin;                // `spec.rules[i].retry`
};

// Session affinity (`sessionAffinity`): requests with the same key go to the same backend
// while it stays (weighted rendezvous hashing), and only its keys move when it leaves.
// Exactly one of `header` and `body_field`; the compiler checks that (and that the name
// is an HTTP token), naming `origin`.
struct SessionAffinity {
  std::optional<LocatedString> header;      // a request header (repeats joined by ",")
  std::optional<LocatedString> body_field;  // a top-level string field of the JSON body
  Origin origin;                            // `spec.sessionAffinity` or `spec.rules[i]...`
};

struct Rule {
  std::optional<LocatedString> name;
  std::vector<RouteMatch> matches;  // empty: one implicit match, PathPrefix "/"
  std::vector<BackendRef> backend_refs;
  // What the models list says of this rule's models: `modelsOwnedBy` (absent: "Envoy AI
  // Gateway") and `modelsCreatedAt` in seconds since the Unix epoch (absent: the route's
  // creationTimestamp, else 0).
  std::optional<std::string> models_owned_by;
  std::optional<int64_t> models_created_seconds;
  std::optional<RetryConfig> retry;  // absent: the rule retries nothing
  std::optional<SessionAffinity> session_affinity;  // replaces the route's for this rule
  Origin origin;  // `spec.rules[i]`
};

// A route's own `spec.standardRoutingHeader` section. Present, it replaces the compile
// options' default for this route as a whole (docs/routing.md#standard-header).
struct StandardRoutingHeader {
  bool enabled = false;
  LocatedString header_name{"x-ai-gateway-backend", {}};
  AllowedBackends allowed_backends = AllowedBackends::kRulesOnly;
  std::vector<LocatedString> backends;  // "name" or "namespace/name"; read only with kExplicit
  bool backends_given = false;          // the section had a `backends` field
  OnDisallowed on_disallowed = OnDisallowed::kReject;
  Origin origin;  // `spec.standardRoutingHeader`
};

struct Route {
  RouteKind kind = RouteKind::kLLMRoute;
  LocatedString name;
  std::string namespace_ = "default";
  // Seconds and nanoseconds since the Unix epoch of `metadata.creationTimestamp`;
  // absent sorts as the oldest possible.
  std::optional<int64_t> creation_seconds;
  int32_t creation_nanos = 0;
  std::vector<LocatedString> hostnames;
  std::vector<Rule> rules;
  std::optional<StandardRoutingHeader> standard_header;  // absent: compile options decide
  std::optional<SessionAffinity> session_affinity;  // every rule's, unless a rule has its own
  Origin origin;  // the document
};

// A backend declared by an LLMBackend or AIServiceBackend document.
struct Backend {
  BackendKind kind = BackendKind::kAIServiceBackend;
  LocatedString name;
  std::string namespace_ = "default";
  Origin origin;
};

// Everything read from one or more configuration files.
struct Config {
  std::vector<Route> routes;
  std::vector<Backend> backends;
  std::vector<Diagnostic> warnings;  // e.g. documents of unknown kinds that were skipped
};

}  // namespace llmroute

#endif  // LLMROUTE_CONFIG_H_
