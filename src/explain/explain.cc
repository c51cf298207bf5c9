// Explain: the decision of resolve, retold step by step for a person (slow path).
#include "llmroute/explain.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "body/model_extractor.h"
#include "compile/compiled_table.h"
#include "llmroute/names.h"
#include "match/conditions.h"
#include "resolve/request_state.h"
#include "resolve/resolve_steps.h"

namespace llmroute {
namespace internal {
namespace {

std::string Quoted(std::string_view s) { return absl::StrCat("\"", AsAbsl(s), "\""); }

std::string Name(const NamespacedName& name) { return absl::StrCat(AsAbsl(name.namespace_), "/", AsAbsl(name.name)); }

// slot → name, the inverse of the table's name maps.
std::vector<std::string_view> NamesBySlot(const StringMap<uint32_t>& slots) {
  std::vector<std::string_view> names(slots.size());
  for (const auto& [name, slot] : slots) names[slot] = name;
  return names;
}

class Explainer {
 public:
  Explainer(const CompiledTable& table, const Request& request)
      : table_(table), request_(request), header_names_(NamesBySlot(table.header_slots)),
        query_names_(NamesBySlot(table.query_slots)) {}

  std::string Run(const Decision& decision) {
    absl::StrAppend(&out_, "request: ", AsAbsl(request_.method), " ", AsAbsl(request_.path), " host ",
                    request_.host.empty() ? "(none)" : Quoted(request_.host), ", ",
                    request_.headers.size(), " headers", request_.body ? ", with a body" : "", "\n");
    std::optional<std::string_view> body_model;
    if (request_.body.has_value()) {
      const BodyModel extracted = ExtractModel(*request_.body, request_.body_padding, table_.body_limit);
      switch (extracted.status) {
        case BodyModel::Status::kBadBody:
          absl::StrAppend(&out_, "body: ", AsAbsl(extracted.reason), "\n");
          return Finish(decision);
        case BodyModel::Status::kNoModel:
          absl::StrAppend(&out_, "body: no \"model\" string; the ", table_.model_header,
                          " header is dropped\n");
          break;
        case BodyModel::Status::kModel:
          model_copy_ = std::string(extracted.model);
          body_model = model_copy_;
          absl::StrAppend(&out_, "body: model ", Quoted(model_copy_), " replaces the ",
                          table_.model_header, " header\n");
          break;
      }
    }
    RequestState state(table_, request_, ResolveScratch::ForThisThread(), request_.body.has_value(),
                       body_model);
    const HostGroup* group = GroupForHost(table_, request_.host);
    if (group == nullptr) {
      absl::StrAppend(&out_, "routes: none applies to this host\n");
      return Finish(decision);
    }
    std::vector<Candidate> candidates = group->rank_pool;
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.rank < b.rank; });
    DescribeRoutes(*group, candidates);
    DescribeStandardHeader(*group, state);
    absl::StrAppend(&out_, "candidates, in precedence order:\n");
    for (const Candidate& candidate : candidates) DescribeCandidate(candidate, state);
    return Finish(decision);
  }

 private:
  std::string Finish(const Decision& decision) {
    DescribeMutations(decision);
    absl::StrAppend(&out_, "decision: ", AsAbsl(StatusName(decision.status)), " (", decision.http_status, ")");
    if (decision.backend) absl::StrAppend(&out_, " backend ", Name(*decision.backend));
    if (decision.backend && decision.backend_kind != BackendRefKind::kBackend) {
      absl::StrAppend(&out_, " (", AsAbsl(BackendRefKindName(decision.backend_kind)), ")");
    }
    if (decision.via != Via::kNone) absl::StrAppend(&out_, " via ", AsAbsl(ViaName(decision.via)));
    if (decision.route) absl::StrAppend(&out_, " route ", Name(*decision.route));
    if (decision.rule) absl::StrAppend(&out_, " rule ", *decision.rule);
    if (decision.match) absl::StrAppend(&out_, " match ", *decision.match);
    if (!decision.fallbacks.empty()) {
      absl::StrAppend(&out_, " fallbacks");
      for (const Fallback& fallback : decision.fallbacks) {
        absl::StrAppend(&out_, " ", Name(fallback.backend));
        if (fallback.model_override) absl::StrAppend(&out_, " (model ", Quoted(*fallback.model_override), ")");
      }
    }
    if (!decision.reason.empty()) absl::StrAppend(&out_, ": ", AsAbsl(decision.reason));
    out_ += '\n';
    if (decision.retry != nullptr) DescribeRetry(decision);
    return std::move(out_);
  }

  // What the proxy changes in the request for the chosen backend, one line each.
  void DescribeMutations(const Decision& decision) {
    if (decision.mutations == nullptr) return;
    const BackendMutations& m = *decision.mutations;
    for (const auto& header : m.header_set) {
      absl::StrAppend(&out_, "mutation: set header ", AsAbsl(header.name), ": ", Quoted(header.value), "\n");
    }
    for (std::string_view name : m.header_remove) {
      absl::StrAppend(&out_, "mutation: remove header ", AsAbsl(name), "\n");
    }
    for (const auto& field : m.body_set) {
      absl::StrAppend(&out_, "mutation: set body field ", Quoted(field.path), " to ", AsAbsl(field.value), "\n");
    }
    for (std::string_view field : m.body_remove) {
      absl::StrAppend(&out_, "mutation: remove body field ", Quoted(field), "\n");
    }
  }

  // The rule's retry policy and the backend each retry goes to.
  void DescribeRetry(const Decision& decision) {
    const RetryPolicy& retry = *decision.retry;
    absl::StrAppend(&out_, "retry: up to ", retry.attempts, retry.attempts == 1 ? " retry" : " retries",
                    " after a connection failure or timeout");
    if (!retry.codes.empty()) {
      absl::StrAppend(&out_, " or status");
      for (std::size_t i = 0; i < retry.codes.size(); ++i) {
        absl::StrAppend(&out_, i == 0 ? " " : ", ", retry.codes[i]);
      }
    }
    absl::StrAppend(&out_, ", backoff ", retry.backoff_ms, " ms\n");
    for (uint32_t n = 1; n <= retry.attempts; ++n) {
      const Fallback* next = NextAttempt(decision, n, 0);
      absl::StrAppend(&out_, "  retry ", n, ": ");
      if (next == nullptr) {
        absl::StrAppend(&out_, "none (no fallback left)\n");
        break;
      }
      absl::StrAppend(&out_, Name(next->backend));
      if (next->model_override) absl::StrAppend(&out_, " with model ", Quoted(*next->model_override));
      out_ += '\n';
    }
  }

  void DescribeRoutes(const HostGroup& group, const std::vector<Candidate>& candidates) {
    std::vector<uint32_t> routes;
    for (const Candidate& candidate : candidates) routes.push_back(table_.matches[candidate.match].route);
    for (uint32_t route : group.standard_header_routes) routes.push_back(route);
    std::sort(routes.begin(), routes.end());
    routes.erase(std::unique(routes.begin(), routes.end()), routes.end());
    absl::StrAppend(&out_, "routes for this host, in route order:");
    for (uint32_t route : routes) absl::StrAppend(&out_, " ", Name(table_.routes[route].name));
    out_ += '\n';
  }

  void DescribeStandardHeader(const HostGroup& group, RequestState& state) {
    if (group.standard_header_routes.empty()) {
      absl::StrAppend(&out_, "standard header: no route here enables it\n");
      return;
    }
    for (uint32_t route_id : group.standard_header_routes) {
      const CompiledRoute& route = table_.routes[route_id];
      const StandardHeaderPolicy& policy = route.standard_header;
      absl::StrAppend(&out_, "standard header of ", Name(route.name), ": ", AsAbsl(header_names_[policy.slot]));
      const std::optional<std::string_view> joined = state.Header(policy.slot);
      std::string_view value;
      if (!joined) {
        absl::StrAppend(&out_, " absent: passed over\n");
        continue;
      }
      switch (ParseStandardHeader(*joined, value)) {
        case HeaderValue::kAbsent:
          absl::StrAppend(&out_, " empty: passed over\n");
          continue;
        case HeaderValue::kConflict:
          absl::StrAppend(&out_, " holds conflicting values ", Quoted(*joined), ": bad request\n");
          return;
        case HeaderValue::kOne:
          break;
      }
      if (AllowedBackend(policy, value) != kNone) {
        absl::StrAppend(&out_, " = ", Quoted(value), ": allowed, routes the request\n");
        return;
      }
      absl::StrAppend(&out_, " = ", Quoted(value), ": not allowed (",
                      AsAbsl(OnDisallowedName(policy.on_disallowed)), ")\n");
    }
  }

  void DescribeValue(std::string_view what, std::string_view name, MatchType type, std::string_view expected,
                     const std::optional<std::string_view>& seen, bool met) {
    absl::StrAppend(&out_, "      ", met ? "met:     " : "not met: ", AsAbsl(what), " ",
                    name.empty() ? "" : absl::StrCat(AsAbsl(name), " "), AsAbsl(MatchTypeName(type)), " ",
                    Quoted(expected), ", seen ",
                    seen ? Quoted(*seen) : std::string("nothing"), "\n");
  }

  void DescribeCandidate(const Candidate& candidate, RequestState& state) {
    const CompiledMatch& match = table_.matches[candidate.match];
    const CompiledRule& rule = table_.rules[match.rule];
    Candidate unproven = candidate;  // check every condition, the anchor's too
    unproven.proven_condition = kNone;
    const bool holds = MatchHolds(table_, unproven, state);
    absl::StrAppend(&out_, "  #", candidate.rank + 1, " ", Name(table_.routes[match.route].name), " rule ",
                    rule.index, rule.has_name ? absl::StrCat(" (", AsAbsl(rule.name), ")") : "", " match ",
                    match.match_index, holds ? ": MATCHES" : ": no", "\n");
    // Each condition on its own, as MatchHolds checks them.
    const std::string_view path = state.path();
    const bool path_met = PathHolds(match, path);
    const std::string_view expected_path =
        match.path_type == MatchType::kPathPrefix && match.path.empty() ? "/" : match.path;
    DescribeValue("path", "", match.path_type, expected_path, path, path_met);
    if (match.has_method) {
      DescribeValue("method", "", MatchType::kExact, match.method, request_.method,
                    MethodHolds(match, request_.method));
    }
    for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
      const ValueCondition& condition = table_.header_conditions[c];
      const std::optional<std::string_view> seen = state.Header(condition.key);
      DescribeValue("header", header_names_[condition.key], condition.type, condition.value, seen,
                    ValueHolds(condition, seen));
    }
    for (uint32_t c = match.queries.begin; c < match.queries.end; ++c) {
      const ValueCondition& condition = table_.query_conditions[c];
      const std::optional<std::string_view> seen = state.Query(condition.key);
      DescribeValue("query", query_names_[condition.key], condition.type, condition.value, seen,
                    ValueHolds(condition, seen));
    }
  }

  const CompiledTable& table_;
  const Request& request_;
  std::vector<std::string_view> header_names_;
  std::vector<std::string_view> query_names_;
  std::string model_copy_;
  std::string out_;
};

}  // namespace
}  // namespace internal

std::string Explain(const RoutingTable& table, const Request& request) {
  // Resolve first: the decision is the one resolve gives; the report retells its steps.
  const Decision decision = table.Resolve(request);
  return internal::Explainer(table.compiled(), request).Run(decision);
}

}  // namespace llmroute
