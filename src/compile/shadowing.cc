#include "compile/shadowing.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "match/conditions.h"

namespace llmroute::internal {
namespace {

// The Exact header or query conditions of a match, each as a key, in order.
std::vector<ConditionKey> ExactKeys(const CompiledTable& table, const CompiledMatch& match) {
  std::vector<ConditionKey> keys;
  for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
    const ValueCondition& condition = table.header_conditions[c];
    if (condition.type == MatchType::kExact) keys.push_back(ExactKey(condition, /*is_header=*/true));
  }
  for (uint32_t c = match.queries.begin; c < match.queries.end; ++c) {
    const ValueCondition& condition = table.query_conditions[c];
    if (condition.type == MatchType::kExact) keys.push_back(ExactKey(condition, /*is_header=*/false));
  }
  return keys;
}

// An exact condition a shadowing match must share with the shadowed one: A's first exact
// header or query condition, or the kNone key when A has none.
ConditionKey RequiredKey(const CompiledTable& table, const CompiledMatch& match) {
  const std::vector<ConditionKey> keys = ExactKeys(table, match);
  return keys.empty() ? ConditionKey{} : keys.front();
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
    absl::flat_hash_map<ConditionKey, std::vector<uint32_t>> shadowers_by_key;
    for (uint32_t id = route_begin; id < route_end; ++id) {
      shadowers_by_key[RequiredKey(table, matches[id])].push_back(id);
    }
    auto shadower_of = [&](uint32_t b) -> uint32_t {
      const CompiledMatch& match = matches[b];
      std::vector<ConditionKey> keys = ExactKeys(table, match);
      keys.insert(keys.begin(), ConditionKey{});
      for (const ConditionKey& key : keys) {
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
