// A reference resolver: the routing rules of docs/routing.md transcribed as plainly as
// possible, to test the library's `RoutingTable::Resolve` against
// (tests/differential_test.cc).
//
// It reads the loaded `Config` directly and decides with no index at all: every
// (route, rule, match) is put in precedence order once, and each request walks that list
// from the top, checking host, path, method, headers and query parameters one by one. It
// shares none of the library's matching or selection code; it reuses only the library's
// body reader (`internal::ExtractModel`, the top-level "model" of a JSON body, and whether
// the body is one well-formed JSON object) and its port stripping. Session affinity keys
// are read from a body by a walk of its top-level members written here, and a health view
// is read through its public `State`.
//
// Slow on purpose (allocates, copies, re-parses the query string per condition).
// Immutable after construction; Resolve may be called from several threads at once.
#ifndef LLMROUTE_TESTS_REFERENCE_REFERENCE_RESOLVER_H_
#define LLMROUTE_TESTS_REFERENCE_REFERENCE_RESOLVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace re2 {
class RE2;
}

namespace llmroute::reference {

// The hashes of session affinity's formula (docs/routing.md#affinity): FNV-1a 64 over the
// bytes, and the splitmix64 finalizer of the weighted choice with `x` in place of the entropy.
uint64_t Fnv1a64(std::string_view bytes);
uint64_t Mix(uint64_t x);

// Every field of a decision as owned strings, so a reference answer and a library answer
// compare with ==. Names are "namespace/name"; a fallback with a modelNameOverride is
// "namespace/name#override".
struct Outcome {
  DecisionStatus status = DecisionStatus::kNoRoute;
  int http_status = 404;
  Via via = Via::kNone;
  std::optional<std::string> backend;
  std::optional<std::string> route;
  std::optional<uint32_t> rule;
  std::optional<std::string> rule_name;
  std::optional<uint32_t> match;
  std::optional<std::string> model;
  std::optional<std::string> model_override;
  std::vector<std::string> fallbacks;
  bool has_reason = false;
  // The retry policy as "codes=[429,503] attempts=2 backoff_ms=100"; null when none.
  std::optional<std::string> retry;
  // Session affinity's key chose the backend; every positive-weight backend of the rule
  // was down in the request's health view, so the view was ignored.
  bool affinity = false;
  bool panic = false;

  bool operator==(const Outcome&) const = default;
};

// The library's decision in the same shape.
Outcome FromDecision(const Decision& decision);

// One line, every field.
std::string Describe(const Outcome& outcome);

class ReferenceResolver {
 public:
  // Copies `config`; `options` give the model header and the standard header default.
  ReferenceResolver(const Config& config, const CompileOptions& options);
  ~ReferenceResolver();

  // `request.entropy` must be set (the reference has no generator of its own).
  // `request.health`, when set, is read with HealthView::State for each backend of the
  // winning rule.
  Outcome Resolve(const Request& request) const;

  // Whether the route named `route` ("namespace/name") lets the standard header name
  // `backend` ("namespace/name"): its allowlist under its effective policy.
  bool Allows(std::string_view route, std::string_view backend) const;

 private:
  struct Candidate {
    std::size_t route;
    uint32_t rule;
    uint32_t match;
  };
  // A rule's effective session affinity: its own, else its route's, else the compile
  // options' default; at most one of the two names is set.
  struct Affinity {
    std::optional<std::string> header;
    std::optional<std::string> body_field;
  };
  struct HeaderPolicy {
    bool enabled = false;
    std::string header_name;
    OnDisallowed on_disallowed = OnDisallowed::kReject;
    std::set<std::string> allowed;  // "namespace/name"
  };

  bool Matches(const RouteMatch& match, const Request& request,
               const std::optional<std::string>& body_model, bool has_body) const;
  bool FullMatch(const std::string& pattern, std::string_view text) const;
  Outcome Select(std::size_t route, uint32_t rule, uint32_t match, const Request& request) const;
  Affinity AffinityOf(std::size_t route, uint32_t rule) const;

  Config config_;
  CompileOptions options_;
  std::vector<std::size_t> route_order_;        // indexes into config_.routes, oldest first
  std::vector<std::size_t> route_rank_;         // route index -> position in route_order_
  std::vector<HeaderPolicy> policies_;          // per route
  std::vector<Candidate> candidates_;           // every (route, rule, match), by precedence
  std::map<std::string, std::unique_ptr<re2::RE2>> regexes_;
};

}  // namespace llmroute::reference

#endif  // LLMROUTE_TESTS_REFERENCE_REFERENCE_RESOLVER_H_
