#include "compile/shadowing.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace llmroute::internal {
namespace {

// Every path B accepts, A accepts too.
bool PathImplies(const CompiledMatch& a, const CompiledMatch& b) {
  switch (a.path_type) {
    case MatchType::kPathPrefix:
      if (a.path.empty()) return true;
      if (b.path_type == MatchType::kRegularExpression) return false;
      return b.path == a.path || (b.path.starts_with(a.path) && b.path[a.path.size()] == '/');
    case MatchType::kExact:
    case MatchType::kRegularExpression:
      return b.path_type == a.path_type && b.path == a.path;
  }
  return false;
}

bool ConditionsImply(const std::vector<ValueCondition>& pool, Range a, Range b) {
  for (uint32_t i = a.begin; i < a.end; ++i) {
    bool found = false;
    for (uint32_t j = b.begin; j < b.end && !found; ++j) {
      found = pool[i].key == pool[j].key && pool[i].type == pool[j].type &&
              pool[i].value == pool[j].value;
    }
    if (!found) return false;
  }
  return true;
}

// Every request B matches, A matches too.
bool MatchImplies(const CompiledTable& table, const CompiledMatch& a, const CompiledMatch& b) {
  if (a.has_method && (!b.has_method || a.method != b.method)) return false;
  return PathImplies(a, b) && ConditionsImply(table.header_conditions, a.headers, b.headers) &&
         ConditionsImply(table.query_conditions, a.queries, b.queries);
}

// An exact condition a shadowing match must share with the shadowed one: A's first exact
// header or query condition, or "" when A has none.
std::string RequiredKey(const CompiledTable& table, const CompiledMatch& match) {
  for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
    const ValueCondition& condition = table.header_conditions[c];
    if (condition.type == MatchType::kExact) return absl::StrCat("H", condition.key, ":", AsAbsl(condition.value));
  }
  for (uint32_t c = match.queries.begin; c < match.queries.end; ++c) {
    const ValueCondition& condition = table.query_conditions[c];
    if (condition.type == MatchType::kExact) return absl::StrCat("Q", condition.key, ":", AsAbsl(condition.value));
  }
  return "";
}

}  // namespace

std::vector<Diagnostic> FindShadowedRules(const CompiledTable& table,
                                          const std::vector<uint32_t>& rank_of_match,
                                          const std::vector<Origin>& rule_origins) {
  std::vector<Diagnostic> warnings;
  const auto& matches = table.matches;
  uint32_t route_begin = 0;
  while (route_begin < matches.size()) {
    uint32_t route_end = route_begin;
    while (route_end < matches.size() && matches[route_end].route == matches[route_begin].route) ++route_end;

    // Possible shadowers bucketed by the exact condition they require.
    StringMap<std::vector<uint32_t>> shadowers_by_key;
    for (uint32_t id = route_begin; id < route_end; ++id) {
      shadowers_by_key[RequiredKey(table, matches[id])].push_back(id);
    }
    auto shadower_of = [&](uint32_t b) -> uint32_t {
      const CompiledMatch& match = matches[b];
      std::vector<std::string> keys = {""};
      for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
        const ValueCondition& condition = table.header_conditions[c];
        if (condition.type == MatchType::kExact) keys.push_back(absl::StrCat("H", condition.key, ":", AsAbsl(condition.value)));
      }
      for (uint32_t c = match.queries.begin; c < match.queries.end; ++c) {
        const ValueCondition& condition = table.query_conditions[c];
        if (condition.type == MatchType::kExact) keys.push_back(absl::StrCat("Q", condition.key, ":", AsAbsl(condition.value)));
      }
      for (const std::string& key : keys) {
        auto it = shadowers_by_key.find(key);
        if (it == shadowers_by_key.end()) continue;
        for (uint32_t a : it->second) {
          if (matches[a].rule != match.rule && rank_of_match[a] < rank_of_match[b] &&
              MatchImplies(table, matches[a], match)) {
            return a;
          }
        }
      }
      return kNone;
    };

    uint32_t rule_begin = route_begin;
    while (rule_begin < route_end) {
      uint32_t rule_end = rule_begin;
      while (rule_end < route_end && matches[rule_end].rule == matches[rule_begin].rule) ++rule_end;
      uint32_t first_shadower = kNone;
      bool all_shadowed = true;
      for (uint32_t b = rule_begin; b < rule_end && all_shadowed; ++b) {
        uint32_t a = shadower_of(b);
        if (a == kNone) all_shadowed = false;
        if (first_shadower == kNone) first_shadower = a;
      }
      if (all_shadowed) {
        const CompiledRule& shadowed = table.rules[matches[rule_begin].rule];
        const CompiledRule& winner = table.rules[matches[first_shadower].rule];
        warnings.push_back(Diagnostic{
            Severity::kWarning, rule_origins[matches[rule_begin].rule],
            absl::StrCat("rule ", shadowed.index, " can never win: every request it matches is "
                         "taken first by spec.rules[", winner.index, "].matches[",
                         matches[first_shadower].match_index, "]")});
      }
      rule_begin = rule_end;
    }
    route_begin = route_end;
  }
  return warnings;
}

}  // namespace llmroute::internal
