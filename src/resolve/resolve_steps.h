// The steps of resolve that `explain` repeats to say why (defined in resolve.cc).
#ifndef LLMROUTE_RESOLVE_RESOLVE_STEPS_H_
#define LLMROUTE_RESOLVE_RESOLVE_STEPS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "compile/compiled_table.h"
#include "resolve/request_state.h"

namespace llmroute::internal {

// Every field of the request's decision but http_status (RoutingTable::Resolve fills it
// from the status).
Decision Decide(const CompiledTable& table, const Request& request);

// The routes that apply to the host: the group of its most specific matching hostname,
// else the routes without hostnames; null when none apply.
const HostGroup* GroupForHost(const CompiledTable& table, std::string_view raw_host);

// Calls `visit(key)` for each key of a path-prefix index the path can match: its prefixes
// that end where a segment ends and whose length is one of `prefix_lengths` (the index's
// distinct key lengths, ascending). At most prefix_lengths.size() calls, each with at most
// the longest key's bytes, however long the path or however many segments it has.
template <typename Visit>
void ForEachPathPrefixKey(std::string_view path, std::span<const uint32_t> prefix_lengths,
                          Visit&& visit) {
  for (const uint32_t length : prefix_lengths) {
    if (length > path.size()) return;
    if (length == path.size() || path[length] == '/') visit(path.substr(0, length));
  }
}

// Whether every condition of the candidate's match holds for the request.
bool MatchHolds(const CompiledTable& table, const Candidate& candidate, RequestState& state);

enum class HeaderValue { kAbsent, kOne, kConflict };

// The standard header's value from its joined occurrences: the items between commas,
// trimmed of spaces and tabs; kAbsent when all are blank, kConflict when two differ.
HeaderValue ParseStandardHeader(std::string_view joined, std::string_view& value);

// The backend the route's allowlist gives for `value`, or kNone.
uint32_t AllowedBackend(const StandardHeaderPolicy& policy, std::string_view value);

}  // namespace llmroute::internal

#endif  // LLMROUTE_RESOLVE_RESOLVE_STEPS_H_
