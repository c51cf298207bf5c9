// The private layout of a RoutingTable: flat vectors and indexes built once by Compile and
// only read afterwards. Every string_view here points into `strings` (or into another
// member of the same table), so the table is self-contained.
#ifndef LLMROUTE_COMPILE_COMPILED_TABLE_H_
#define LLMROUTE_COMPILE_COMPILED_TABLE_H_

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/diagnostic.h"
#include "llmroute/table.h"
#include "body/model_extractor.h"
#include "re2/re2.h"
#include "text/http_text.h"
#include "text/views.h"

namespace llmroute::internal {

inline constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Looks string_views up in maps keyed by std::string without building a temporary.
template <typename Value>
using StringMap = absl::flat_hash_map<std::string, Value>;

// Owns every string the table hands out; addresses never move (deque of strings).
class StringPool {
 public:
  std::string_view Add(std::string_view s) { return strings_.emplace_back(s); }

 private:
  std::deque<std::string> strings_;
};

// [begin, end) into one of the table's flat vectors.
struct Range {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
};

// Names the table reads (header names lower-cased, query parameter names as written), each
// with its slot, bucketed by length: most names a request sends are skipped by their length
// alone, and the few configured names of one length are compared directly instead of hashed.
struct NamesByLength {
  struct Entry {
    std::string_view name;
    uint32_t slot;
    uint32_t letters;  // into `letter_bits`: 0x20 under each letter of `name`, 0 elsewhere
  };
  std::vector<Range> by_length{Range{}};  // index: name length; into `names`
  uint64_t short_lengths = 0;             // bit L set: some name of length L < 64
  std::vector<Entry> names;               // by length, then name
  std::size_t longest = 0;
  std::string letter_bits;  // each name's letter bits, one after the other

  // Whether `text` equals `entry`'s name, ASCII letters in either case: `text` with the
  // letter bits set is the (lower-case) name exactly where the name has letters, and
  // equal bytes elsewhere. `text` has the name's length.
  bool EqualsIgnoringCase(std::string_view text, const Entry& entry) const {
    return EqualsWithBitsSet(text, letter_bits.data() + entry.letters, entry.name);
  }
  // Whether some name has exactly `length` bytes.
  bool HasLength(std::size_t length) const {
    if (length < 64) return (short_lengths >> length & 1) != 0;
    return length <= longest && !by_length[length].empty();
  }
  // Fills the buckets from name → slot (the names must outlive this object).
  void Build(const StringMap<uint32_t>& slots);
};

// One header or query-parameter condition. `key` is a header slot or a query slot.
struct ValueCondition {
  uint32_t key = 0;
  MatchType type = MatchType::kExact;
  std::string_view value;     // as written in the config
  const RE2* regex = nullptr;  // kRegularExpression only
  // kRegularExpression: a literal every whole-value match starts with ("" if none); lets
  // an index find the few regexes worth running instead of running them all.
  std::string_view literal_prefix;
};

// One (route, rule, match) with its conditions, ready to test against a request.
struct CompiledMatch {
  uint32_t route = 0;       // index into CompiledTable::routes (route order)
  uint32_t rule = 0;        // index into CompiledTable::rules
  uint32_t match_index = 0;  // position in the rule's matches (0 for the implicit one)
  MatchType path_type = MatchType::kPathPrefix;
  // kExact: the path; kPathPrefix: the prefix without its trailing '/' ("" for "/");
  // kRegularExpression: the pattern.
  std::string_view path;
  const RE2* path_regex = nullptr;
  std::string_view path_literal_prefix;  // as ValueCondition::literal_prefix
  bool has_method = false;
  std::string_view method;
  Range headers;  // into CompiledTable::header_conditions
  Range queries;  // into CompiledTable::query_conditions
};

// A backendRef's mutations, owned by the table; `view` points into the vectors.
struct OwnedMutations {
  std::vector<BackendMutations::Header> header_set;
  std::vector<std::string_view> header_remove;
  std::vector<BackendMutations::BodyField> body_set;
  std::vector<std::string_view> body_remove;
  BackendMutations view;
};

// One selectable backendRef of a rule's first tier with a positive total weight (entries
// of the same backend, priority and model override merged into one).
struct WeightedBackend {
  NamespacedName backend;  // a copy of CompiledTable::backends[i]: one less indirection
  bool has_model_override = false;
  std::string_view model_override;
  BackendRefKind kind = BackendRefKind::kBackend;
  const BackendMutations* mutations = nullptr;  // null: none
};

// One selectable backendRef of a rule (positive weight), in any priority tier: what
// affinity and health need beyond the precomputed weighted choice.
struct RuleEntry {
  NamespacedName backend;
  uint64_t weight = 0;
  // fnv1a64 of "namespace/name" (+ "#" + modelNameOverride when it has one): the
  // backendRef's identity in rendezvous hashing.
  uint64_t name_hash = 0;
  uint32_t health_name = 0;  // its process-wide number (health/name_registry.h)
  bool has_model_override = false;
  std::string_view model_override;
  BackendRefKind kind = BackendRefKind::kBackend;
  const BackendMutations* mutations = nullptr;  // null: none

  Fallback AsFallback() const {
    return {backend, has_model_override ? std::optional(model_override) : std::nullopt};
  }
};

// Where a rule reads its session affinity key.
enum class AffinitySource : uint8_t { kNone, kHeader, kBodyField };

struct CompiledRule {
  uint32_t route = 0;
  uint32_t index = 0;  // position in the route's spec.rules
  bool has_name = false;
  std::string_view name;
  Range chosen_tier;      // into CompiledTable::weighted_backends; empty: no_backend
  Range running_sums;     // into CompiledTable::running_sums, parallel to chosen_tier
  uint32_t fallbacks_begin = 0;   // into CompiledTable::fallback_pool
  uint32_t fallbacks_stride = 0;  // fallbacks of tier position i: [begin + i*stride, +stride)
  const RetryPolicy* retry = nullptr;  // into CompiledTable::retry_policies; null: none
  // Every selectable backendRef, tier by tier (priority order), backendRefs order within
  // a tier; the first tier is `chosen_tier`, position for position.
  Range entries;  // into CompiledTable::rule_entries
  Range tiers;    // into CompiledTable::tier_ends: each tier's end in rule_entries
  AffinitySource affinity_source = AffinitySource::kNone;
  uint32_t affinity_key = 0;  // kHeader: header slot; kBodyField: index in affinity_body_fields
};

// A route's effective standard routing header (its own section or the compile default).
struct StandardHeaderPolicy {
  uint32_t slot = 0;  // header slot of its name
  OnDisallowed on_disallowed = OnDisallowed::kReject;
  // The allowlist, looked up by the value as sent: "name" (route's namespace) or "ns/name".
  StringMap<uint32_t> allowed_by_name;       // name → backend, route's namespace only
  StringMap<uint32_t> allowed_by_full_name;  // "ns/name" → backend
  std::string_view refusal_reason;  // backend_not_allowed
  std::string_view conflict_reason;  // bad_request: different values sent
};

struct CompiledRoute {
  NamespacedName name;
  bool has_standard_header = false;
  StandardHeaderPolicy standard_header;
};

// Candidate lists of one index: for each key, the matches anchored on it, by rank.
struct RankIndex {
  uint32_t key = 0;  // header or query slot (unused for path indexes)
  StringMap<Range> ranks_by_value;  // into HostGroup::rank_pool
  // Prefix indexes (path prefixes, regex literal prefixes) only: the distinct key lengths,
  // ascending; a value is looked up at most once per length.
  std::vector<uint32_t> prefix_lengths;
};

// One entry of a candidate list: a match, its precedence rank within the group, and the
// header condition its index lookup already proved (kNone if none), which need not be
// compared again.
struct Candidate {
  uint32_t rank = 0;
  uint32_t match = 0;
  uint32_t proven_condition = kNone;
  // Copied from the match so that a winner needs no other lookup: its rule, its position
  // in the rule, and whether the proven condition is its only one (then the index lookup
  // alone decides, as for the one-header rules that make up most AI-gateway tables).
  uint32_t rule = 0;
  uint32_t match_index = 0;
  bool proven_is_all = false;
};

// The routes that apply to one hostname (or to requests matching no hostname), with their
// matches in precedence order and the indexes that find candidates without a scan.
struct HostGroup {
  std::vector<Candidate> rank_pool;  // the candidate lists every index refers to, each by rank
  RankIndex exact_paths;
  RankIndex path_prefixes;         // key: prefix without trailing '/', never ""
  std::vector<RankIndex> header_values;  // Exact header anchors, one per slot
  std::vector<RankIndex> query_values;   // Exact query anchors, one per query slot
  RankIndex path_regex_prefixes;           // RegularExpression paths by literal prefix
  std::vector<RankIndex> header_regex_prefixes;  // RegularExpression headers, one per slot
  Range residual;                  // ranks with no anchor (catch-alls, regex-only)
  std::vector<uint32_t> standard_header_routes;  // route ids in route order
  std::vector<ModelEntry> models;  // the models of this group's routes (models(host))
};

struct CompiledTable {
  StringPool strings;
  std::vector<std::unique_ptr<RE2>> regexes;

  std::vector<NamespacedName> backends;
  std::vector<BackendRefKind> backend_kinds;  // parallel to backends
  std::deque<OwnedMutations> mutations;       // addresses never move
  std::vector<CompiledRoute> routes;  // in route order
  std::vector<CompiledRule> rules;
  std::vector<CompiledMatch> matches;
  std::vector<ValueCondition> header_conditions;
  std::vector<ValueCondition> query_conditions;
  std::vector<WeightedBackend> weighted_backends;
  std::vector<uint64_t> running_sums;
  std::vector<Fallback> fallback_pool;
  // Retry policies and their codes; deques, so the pointers and spans into them stay put.
  std::deque<RetryPolicy> retry_policies;
  std::deque<std::vector<uint16_t>> retry_codes;
  std::vector<RuleEntry> rule_entries;
  std::vector<uint32_t> tier_ends;
  // The distinct body fields rules read their affinity key from (at most
  // kMaxAffinityBodyFields), found in the same pass over the body as the model.
  std::vector<std::string_view> affinity_body_fields;

  // Lower-cased header name → slot; every header name the table reads has one.
  StringMap<uint32_t> header_slots;
  NamesByLength header_names;  // the same names by length
  // Query parameter name (as written) → query slot.
  StringMap<uint32_t> query_slots;
  NamesByLength query_names;  // the same names by length
  std::string model_header;
  uint32_t model_slot = 0;
  BodyLimit body_limit;  // CompileOptions::max_body_size and the reason for a longer body
  // The request headers the gateway owns (RoutingTable::owned_headers): lower-cased views
  // into `strings`, each once.
  std::vector<std::string_view> owned_headers;

  StringMap<uint32_t> exact_hosts;     // lower-cased hostname → group
  StringMap<uint32_t> wildcard_hosts;  // ".example.com" (from "*.example.com") → group
  uint32_t catch_all_group = kNone;    // routes without hostnames; kNone if there are none
  std::vector<HostGroup> groups;

  std::vector<Diagnostic> warnings;
  std::vector<ModelEntry> models;
};

}  // namespace llmroute::internal

#endif  // LLMROUTE_COMPILE_COMPILED_TABLE_H_
