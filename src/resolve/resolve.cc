// Decide: compiled table × request → decision (docs/routing.md; RoutingTable::Resolve, in
// table/, adds the HTTP status). The hot path: no heap allocation once the thread is warm,
// no lock, no write to memory other threads share.
#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "body/model_extractor.h"
#include "compile/compiled_table.h"
#include "health/name_registry.h"
#include "llmroute/health.h"
#include "llmroute/table.h"
#include "match/conditions.h"
#include "resolve/request_state.h"
#include "resolve/resolve_steps.h"
#include "select/affinity.h"
#include "select/selection.h"
#include "text/http_text.h"

namespace llmroute {
namespace internal {

// The longest host name DNS allows, plus room for a trailing dot.
constexpr std::size_t kMaxHostBytes = 255;

// The routes that apply to the host: the group of its most specific matching hostname
// (exact, then the longest wildcard), else the routes without hostnames.
const HostGroup* GroupForHost(const CompiledTable& table, std::string_view raw_host) {
  const bool any_hostnames = !table.exact_hosts.empty() || !table.wildcard_hosts.empty();
  std::string_view host = any_hostnames ? StripPort(raw_host) : std::string_view();
  if (host.ends_with('.')) host.remove_suffix(1);  // a DNS name with its root
  if (!host.empty() && host.size() <= kMaxHostBytes) {
    char lowered[kMaxHostBytes];
    for (std::size_t i = 0; i < host.size(); ++i) lowered[i] = AsciiLower(host[i]);
    const absl::string_view name(lowered, host.size());
    if (auto it = table.exact_hosts.find(name); it != table.exact_hosts.end()) {
      return &table.groups[it->second];
    }
    // "*.example.com" is stored as ".example.com": try each suffix that starts at a dot
    // after at least one label, longest first.
    for (std::size_t dot = name.find('.', 1); dot != absl::string_view::npos;
         dot = name.find('.', dot + 1)) {
      if (auto it = table.wildcard_hosts.find(name.substr(dot)); it != table.wildcard_hosts.end()) {
        return &table.groups[it->second];
      }
    }
  }
  return table.catch_all_group == kNone ? nullptr : &table.groups[table.catch_all_group];
}

// `proven`: a condition the candidate's index lookup already established, or null.
bool ConditionsHold(std::span<const ValueCondition> conditions, bool headers, RequestState& state,
                    const ValueCondition* proven = nullptr) {
  for (const ValueCondition& condition : conditions) {
    if (&condition == proven) continue;
    if (!ValueHolds(condition, headers ? state.Header(condition.key) : state.Query(condition.key))) {
      return false;
    }
  }
  return true;
}

bool MatchHolds(const CompiledTable& table, const Candidate& candidate, RequestState& state) {
  const CompiledMatch& match = table.matches[candidate.match];
  if (!PathHolds(match, state.path()) || !MethodHolds(match, state.method())) return false;
  const ValueCondition* proven = candidate.proven_condition == kNone
                                     ? nullptr
                                     : &table.header_conditions[candidate.proven_condition];
  return ConditionsHold({table.header_conditions.data() + match.headers.begin, match.headers.size()},
                        true, state, proven) &&
         ConditionsHold({table.query_conditions.data() + match.queries.begin, match.queries.size()},
                        false, state);
}

namespace {

// Finds the best-ranked match of the group that holds: each candidate list (residual and
// index hits) is ranked, so each is walked only until it passes the best found so far.
class WinnerSearch {
 public:
  WinnerSearch(const CompiledTable& table, const HostGroup& group, RequestState& state)
      : table_(table), group_(group), state_(state) {}

  // The winning candidate (it lives in the table), or null when no match holds.
  const Candidate* Run() {
    Scan(group_.residual);
    if (!group_.exact_paths.ranks_by_value.empty()) Lookup(group_.exact_paths, state_.path());
    if (!group_.path_prefixes.ranks_by_value.empty()) {
      ForEachPathPrefixKey(state_.path(), group_.path_prefixes.prefix_lengths,
                           [this](std::string_view key) { Lookup(group_.path_prefixes, key); });
    }
    for (const RankIndex& index : group_.header_values) {
      if (auto value = state_.Header(index.key)) Lookup(index, *value);
    }
    for (const RankIndex& index : group_.query_values) {
      if (auto value = state_.Query(index.key)) Lookup(index, *value);
    }
    if (!group_.path_regex_prefixes.ranks_by_value.empty()) {
      LookupPrefixes(group_.path_regex_prefixes, state_.path());
    }
    for (const RankIndex& index : group_.header_regex_prefixes) {
      if (auto value = state_.Header(index.key)) LookupPrefixes(index, *value);
    }
    return best_;
  }

 private:
  void Lookup(const RankIndex& index, std::string_view value) {
    auto it = index.ranks_by_value.find(AsAbsl(value));
    if (it != index.ranks_by_value.end()) Scan(it->second);
  }

  // Regex candidates whose literal prefix starts `value`: one lookup per prefix length.
  void LookupPrefixes(const RankIndex& index, std::string_view value) {
    for (uint32_t length : index.prefix_lengths) {
      if (length > value.size()) return;
      Lookup(index, value.substr(0, length));
    }
  }

  void Scan(Range ranks) {
    for (uint32_t i = ranks.begin; i < ranks.end; ++i) {
      const Candidate& candidate = group_.rank_pool[i];
      if (candidate.rank >= best_rank_) return;
      if (candidate.proven_is_all || MatchHolds(table_, candidate, state_)) {
        best_rank_ = candidate.rank;
        best_ = &candidate;
        return;
      }
    }
  }

  const CompiledTable& table_;
  const HostGroup& group_;
  RequestState& state_;
  uint32_t best_rank_ = kNone;
  const Candidate* best_ = nullptr;
};

}  // namespace

// The standard header's value: items of every occurrence (joined by ","), trimmed, empty
// ones dropped; all must be the same string.
HeaderValue ParseStandardHeader(std::string_view joined, std::string_view& value) {
  HeaderValue result = HeaderValue::kAbsent;
  while (true) {
    const std::size_t comma = joined.find(',');
    const std::string_view item = TrimOptionalWhitespace(joined.substr(0, comma));
    if (!item.empty()) {
      if (result == HeaderValue::kAbsent) {
        value = item;
        result = HeaderValue::kOne;
      } else if (item != value) {
        return HeaderValue::kConflict;
      }
    }
    if (comma == std::string_view::npos) return result;
    joined.remove_prefix(comma + 1);
  }
}

uint32_t AllowedBackend(const StandardHeaderPolicy& policy, std::string_view value) {
  const auto& map = value.find('/') == std::string_view::npos ? policy.allowed_by_name
                                                              : policy.allowed_by_full_name;
  auto it = map.find(AsAbsl(value));
  return it == map.end() ? kNone : it->second;
}

namespace {

Decision Refused(DecisionStatus status, std::string_view reason) {
  Decision decision;
  decision.status = status;
  decision.reason = reason;
  return decision;
}

// The standard routing header (docs/routing.md#standard-header): the applicable routes
// that enable it, in route order, each reading its own header name. Returns true
// when the header decided (routed, refused or bad request).
bool ResolveStandardHeader(const CompiledTable& table, const HostGroup& group, RequestState& state,
                           Decision& decision) {
  uint32_t first_rejecting_route = kNone;
  // Routes mostly share one header name: parse its value once, not once per route.
  uint32_t parsed_slot = kNone;
  HeaderValue parsed = HeaderValue::kAbsent;
  std::string_view value;
  for (uint32_t route_id : group.standard_header_routes) {
    const CompiledRoute& route = table.routes[route_id];
    const StandardHeaderPolicy& policy = route.standard_header;
    if (policy.slot != parsed_slot) {
      const std::optional<std::string_view> joined = state.Header(policy.slot);
      parsed_slot = policy.slot;
      parsed = joined.has_value() ? ParseStandardHeader(*joined, value) : HeaderValue::kAbsent;
    }
    switch (parsed) {
      case HeaderValue::kAbsent:
        continue;
      case HeaderValue::kConflict:
        // A bad request names no route, nor a via: nothing was routed.
        decision = Refused(DecisionStatus::kBadRequest, policy.conflict_reason);
        return true;
      case HeaderValue::kOne:
        break;
    }
    const uint32_t backend = AllowedBackend(policy, value);
    if (backend != kNone) {
      // The decision is still the untouched "no rule matched" refusal: only its reason
      // is cleared, not the whole decision rebuilt.
      decision.reason = {};
      decision.status = DecisionStatus::kRouted;
      decision.via = Via::kStandardHeader;
      decision.backend = table.backends[backend];
      decision.backend_kind = table.backend_kinds[backend];
      decision.route = route.name;
      return true;
    }
    if (policy.on_disallowed == OnDisallowed::kReject && first_rejecting_route == kNone) {
      first_rejecting_route = route_id;
    }
  }
  if (first_rejecting_route == kNone) return false;
  const CompiledRoute& route = table.routes[first_rejecting_route];
  decision = Refused(DecisionStatus::kBackendNotAllowed, route.standard_header.refusal_reason);
  decision.via = Via::kStandardHeader;
  decision.route = route.name;
  return true;
}

// The rule's session affinity key for this request; empty when it has none (then the
// choice is by entropy).
std::string_view AffinityKey(const CompiledTable& table, const CompiledRule& rule,
                             const Request& request, RequestState& state,
                             const std::string_view* body_fields) {
  switch (rule.affinity_source) {
    case AffinitySource::kNone:
      return {};
    case AffinitySource::kHeader:
      // The header as received: a body's model replaces the model header for matching only.
      if (rule.affinity_key == table.model_slot && request.body.has_value()) [[unlikely]] {
        return state.ReceivedModelHeader().value_or(std::string_view());
      }
      return state.Header(rule.affinity_key).value_or(std::string_view());
    case AffinitySource::kBodyField:
      return body_fields[rule.affinity_key];
  }
  return {};
}

// The affinity keys read from the body of the thread's current request.
std::string_view* BodyFieldScratch() {
  thread_local std::string_view body_fields[kMaxAffinityBodyFields];
  return body_fields;
}

// Fallbacks that depend on the request (affinity order, down backends left out) are written
// here: at most one rule's entries, overwritten by the thread's next resolve.
Fallback* FallbackScratch() {
  thread_local Fallback fallbacks[kMaxBackendRefsPerRule];
  return fallbacks;
}

// Which of the rule's entries the view holds down now; false when none is (then the view
// changes nothing). Sets `panic` (and clears `down`) when every entry is down. The clock
// is read at most once, and only for a mark with an expiry.
bool MarkDownEntries(const HealthView& health, std::span<const RuleEntry> entries, bool* down,
                     bool& panic) {
  int64_t now = 0;
  bool have_now = false;
  std::size_t down_count = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const uint32_t name = entries[i].health_name;
    const int64_t mark = name == kNoHealthName ? 0 : health.RawMark(name);
    bool is_down = mark == HealthView::kForever;
    if (mark != 0 && !is_down) {
      if (!have_now) {
        now = health.NowMs();
        have_now = true;
      }
      is_down = now < mark;
    }
    down[i] = is_down;
    down_count += is_down;
  }
  if (down_count == 0) return false;
  if (down_count == entries.size()) {
    panic = true;
    return false;
  }
  return true;
}

// Sorts values[0, count) in descending order. Up to 8 values (most rules) go through a
// fixed sorting network, padded with zeros that sort last: no data-dependent branches.
// `values` has room for at least 8.
void SortDescending(uint64_t* values, std::size_t count) {
  if (count > 8) {
    std::sort(values, values + count, std::greater<uint64_t>());
    return;
  }
  uint64_t v[8] = {};
  for (std::size_t i = 0; i < count; ++i) v[i] = values[i];
  auto order = [&v](int a, int b) {
    const uint64_t high = std::max(v[a], v[b]);
    v[b] = std::min(v[a], v[b]);
    v[a] = high;
  };
  if (count <= 4) {
    order(0, 1), order(2, 3), order(0, 2), order(1, 3), order(1, 2);
  } else {
    order(0, 2), order(1, 3), order(4, 6), order(5, 7);
    order(0, 4), order(1, 5), order(2, 6), order(3, 7);
    order(0, 1), order(2, 3), order(4, 5), order(6, 7);
    order(2, 4), order(3, 5);
    order(1, 4), order(3, 6);
    order(1, 2), order(3, 4), order(5, 6);
  }
  for (std::size_t i = 0; i < count; ++i) values[i] = v[i];
}

// Affinity and/or health: the rule's choice among the entries that are up, with fallbacks
// in per-thread scratch. `down` is null when nothing is down.
void SelectAmongEntries(const CompiledTable& table, const CompiledRule& rule, std::string_view key,
                        const bool* down, const Request& request, Decision& decision) {
  const std::span<const RuleEntry> entries(table.rule_entries.data() + rule.entries.begin,
                                           rule.entries.size());
  auto is_up = [down](std::size_t i) { return down == nullptr || !down[i]; };
  // The first tier with an entry that is up.
  uint32_t tier = rule.tiers.begin;
  std::size_t tier_begin = 0;
  for (;; ++tier) {
    const std::size_t tier_end = table.tier_ends[tier] - rule.entries.begin;
    std::size_t i = tier_begin;
    while (i < tier_end && !is_up(i)) ++i;
    if (i < tier_end) break;
    tier_begin = tier_end;
  }
  const std::size_t tier_end = table.tier_ends[tier] - rule.entries.begin;

  Fallback* fallbacks = FallbackScratch();
  std::size_t fallback_count = 0;
  std::size_t chosen = tier_begin;
  if (!key.empty()) {
    // Every entry that is up from this tier on, each tier ranked by score. An entry is
    // one integer: its draw's 53 bits, then 127 - its position (the earlier entry first
    // among equal bits).
    static_assert(kMaxBackendRefsPerRule <= 128, "an entry's position takes 7 bits");
    const uint64_t key_hash = Fnv1a64(key);
    uint64_t packed[kMaxBackendRefsPerRule];
    std::size_t begin = tier_begin;
    for (uint32_t t = tier; t < rule.tiers.end; ++t) {
      const std::size_t end = table.tier_ends[t] - rule.entries.begin;
      std::size_t count = 0;
      bool same_weight = true;
      uint64_t weight = 0;
      for (std::size_t i = begin; i < end; ++i) {
        if (!is_up(i)) continue;
        if (count == 0) weight = entries[i].weight;
        same_weight &= entries[i].weight == weight;
        packed[count++] = AffinityBits(key_hash, entries[i].name_hash) << 7 | (127 - i);
      }
      SortDescending(packed, count);
      if (count == 0) {  // a later tier with every entry down
        begin = end;
        continue;
      }
      if (!same_weight) {
        struct Scored {
          double score;
          uint64_t packed;
        };
        Scored scored[kMaxBackendRefsPerRule];
        for (std::size_t j = 0; j < count; ++j) {
          const std::size_t i = 127 - (packed[j] & 127);
          scored[j] = {AffinityScoreOfBits(packed[j] >> 7, entries[i].weight), packed[j]};
        }
        // Higher score first; equal scores: the earlier entry (larger low bits).
        std::sort(scored, scored + count, [](const Scored& a, const Scored& b) {
          return a.score != b.score ? a.score > b.score : (a.packed & 127) > (b.packed & 127);
        });
        for (std::size_t j = 0; j < count; ++j) packed[j] = scored[j].packed;
      }
      // With one weight the entries are ranked by their bits (see RanksBeforeSameWeight),
      // no log. Bits within 2^-40 of each other (so at most 2^13 + 1 apart, below 2^21
      // once packed) are rare: only then, seen while writing, are the scores compared and
      // the tier written again.
      const std::size_t tier_fallbacks = fallback_count;
      for (bool exact = !same_weight;;) {
        if (t == tier) {
          chosen = 127 - (packed[0] & 127);
        } else {
          fallbacks[fallback_count++] = entries[127 - (packed[0] & 127)].AsFallback();
        }
        bool near_tie = false;
        for (std::size_t j = 1; j < count; ++j) {
          near_tie |= packed[j - 1] - packed[j] < (uint64_t{1} << 21);
          fallbacks[fallback_count++] = entries[127 - (packed[j] & 127)].AsFallback();
        }
        if (exact || !near_tie) [[likely]] break;
        auto before = [weight](uint64_t a, uint64_t b) {
          return RanksBeforeSameWeight(a >> 7, b >> 7, weight, (a & 127) > (b & 127));
        };
        for (std::size_t j = 1; j < count; ++j) {
          for (std::size_t k = j; k > 0 && before(packed[k], packed[k - 1]); --k) {
            std::swap(packed[k], packed[k - 1]);
          }
        }
        exact = true;
        fallback_count = tier_fallbacks;
      }
      begin = end;
    }
    decision.affinity = true;
  } else {
    // The weighted choice of the tier with the down entries at weight 0.
    uint64_t total = 0;
    for (std::size_t i = tier_begin; i < tier_end; ++i) total += is_up(i) ? entries[i].weight : 0;
    const uint64_t entropy = request.entropy.has_value() ? *request.entropy : ThreadLocalEntropy();
    const uint64_t r = ScaleToTotal(MixEntropy(entropy), total);
    uint64_t running = 0;
    for (std::size_t i = tier_begin; i < tier_end; ++i) {
      if (!is_up(i)) continue;
      running += entries[i].weight;
      if (running > r) {
        chosen = i;
        break;
      }
    }
    const std::size_t size = tier_end - tier_begin;
    for (std::size_t step = 1; step < size; ++step) {
      const std::size_t i = tier_begin + (chosen - tier_begin + step) % size;
      if (is_up(i)) fallbacks[fallback_count++] = entries[i].AsFallback();
    }
    for (std::size_t i = tier_end; i < entries.size(); ++i) {
      if (is_up(i)) fallbacks[fallback_count++] = entries[i].AsFallback();
    }
  }
  const RuleEntry& entry = entries[chosen];
  decision.backend = entry.backend;
  if (entry.has_model_override) decision.model_override = entry.model_override;
  decision.backend_kind = entry.kind;
  decision.mutations = entry.mutations;
  decision.fallbacks = {fallbacks, fallback_count};
}

void SelectBackend(const CompiledTable& table, const Candidate& winner, const Request& request,
                   RequestState& state, const std::string_view* body_fields, Decision& decision) {
  const CompiledRule& rule = table.rules[winner.rule];
  decision.route = table.routes[rule.route].name;
  decision.rule = rule.index;
  if (rule.has_name) decision.rule_name = rule.name;
  decision.match = winner.match_index;
  if (rule.chosen_tier.empty()) {
    decision.status = DecisionStatus::kNoBackend;
    decision.reason = "the matched rule has no backend with a positive weight";
    return;
  }
  decision.status = DecisionStatus::kRouted;
  decision.via = Via::kRule;

  const std::string_view key = rule.affinity_source == AffinitySource::kNone
                                   ? std::string_view()
                                   : AffinityKey(table, rule, request, state, body_fields);
  bool down_storage[kMaxBackendRefsPerRule];
  const bool* down = nullptr;
  if (request.health != nullptr && request.health->AnyMarked() &&
      MarkDownEntries(*request.health,
                      {table.rule_entries.data() + rule.entries.begin, rule.entries.size()},
                      down_storage, decision.panic)) {
    down = down_storage;
  }
  decision.retry = rule.retry;
  if (!key.empty() || down != nullptr) {
    SelectAmongEntries(table, rule, key, down, request, decision);
    return;
  }

  // Nothing down and no key: the precomputed weighted choice and fallbacks.
  std::size_t position = 0;  // a tier of one needs no draw
  if (rule.chosen_tier.size() > 1) {
    const uint64_t entropy = request.entropy.has_value() ? *request.entropy : ThreadLocalEntropy();
    position = PickPosition(
        {table.running_sums.data() + rule.running_sums.begin, rule.running_sums.size()}, entropy);
  }
  const WeightedBackend& chosen = table.weighted_backends[rule.chosen_tier.begin + position];
  decision.backend = chosen.backend;
  if (chosen.has_model_override) decision.model_override = chosen.model_override;
  decision.backend_kind = chosen.kind;
  decision.mutations = chosen.mutations;
  decision.fallbacks = {table.fallback_pool.data() + rule.fallbacks_begin + position * rule.fallbacks_stride,
                        rule.fallbacks_stride};
}

}  // namespace

Decision Decide(const CompiledTable& table, const Request& request) {
  // The one object every path returns, so that it is built in place (no copy on return).
  Decision decision = Refused(DecisionStatus::kNoRoute, "no rule matched the request");
  std::optional<std::string_view> body_model;
  // Affinity keys read from the body: per-thread, so that only the table's fields are
  // cleared; most tables have none, and then not even the thread's array is looked up.
  std::string_view* body_fields = nullptr;
  if (!table.affinity_body_fields.empty()) [[unlikely]] {
    body_fields = BodyFieldScratch();
    for (std::size_t i = 0; i < table.affinity_body_fields.size(); ++i) body_fields[i] = {};
  }
  if (request.body.has_value()) {
    const BodyModel extracted = ExtractModel(*request.body, request.body_padding, table.body_limit,
                                             table.affinity_body_fields, body_fields);
    if (extracted.status == BodyModel::Status::kBadBody) {
      decision.status = DecisionStatus::kBadRequest;
      decision.reason = extracted.reason;
      return decision;
    }
    if (extracted.status == BodyModel::Status::kModel) body_model = extracted.model;
  }
  RequestState state(table, request, ResolveScratch::ForThisThread(), request.body.has_value(),
                     body_model);

  const HostGroup* group = GroupForHost(table, request.host);
  if (group != nullptr && !ResolveStandardHeader(table, *group, state, decision)) {
    const Candidate* winner = WinnerSearch(table, *group, state).Run();
    if (winner != nullptr) {
      decision.reason = {};
      SelectBackend(table, *winner, request, state, body_fields, decision);
    }
  }
  decision.model = state.Header(table.model_slot);
  return decision;
}

}  // namespace internal
}  // namespace llmroute
