// `check`'s warning for rules that can never win: every match of the rule is implied by a
// match of higher precedence in the same route, so that one always takes the request first.
// Conservative: only same-route shadowing is reported (routes of other hostnames may not
// apply together), and only when one match's conditions are a subset of the other's.
#ifndef LLMROUTE_COMPILE_SHADOWING_H_
#define LLMROUTE_COMPILE_SHADOWING_H_

#include <cstdint>
#include <vector>

#include "compile/compiled_table.h"

namespace llmroute::internal {

// `rank_of_match[id]` is the precedence position of match `id`; `rule_origins[id]` where
// rule `id` was written.
std::vector<Diagnostic> FindShadowedRules(const CompiledTable& table,
                                          const std::vector<uint32_t>& rank_of_match,
                                          const std::vector<Origin>& rule_origins);

}  // namespace llmroute::internal

#endif  // LLMROUTE_COMPILE_SHADOWING_H_
