#include "match/conditions.h"

#include <vector>

namespace llmroute::internal {
namespace {

// Every path `b` accepts, `a` accepts too.
bool PathImplies(const CompiledMatch& a, const CompiledMatch& b) {
  switch (a.path_type) {
    case MatchType::kPathPrefix:
      if (a.path.empty()) return true;
      if (b.path_type == MatchType::kRegularExpression) return false;
      return PathHasPrefix(b.path, a.path);
    case MatchType::kExact:
    case MatchType::kRegularExpression:
      return b.path_type == a.path_type && b.path == a.path;
  }
  return false;
}

bool SameCondition(const ValueCondition& a, const ValueCondition& b) {
  return a.key == b.key && a.type == b.type && a.value == b.value;
}

// Each condition of `a` appears among those of `b`.
bool ConditionsImply(const std::vector<ValueCondition>& pool, Range a, Range b) {
  for (uint32_t i = a.begin; i < a.end; ++i) {
    bool found = false;
    for (uint32_t j = b.begin; j < b.end && !found; ++j) found = SameCondition(pool[i], pool[j]);
    if (!found) return false;
  }
  return true;
}

}  // namespace

bool MatchImplies(const CompiledTable& table, const CompiledMatch& a, const CompiledMatch& b) {
  if (a.has_method && (!b.has_method || a.method != b.method)) return false;
  return PathImplies(a, b) && ConditionsImply(table.header_conditions, a.headers, b.headers) &&
         ConditionsImply(table.query_conditions, a.queries, b.queries);
}

}  // namespace llmroute::internal
