// The compiler: one pass over a Config that fills a CompiledTable. The class is split
// along its seams: compiler.cc (order, routes, rules, matches and their conditions),
// backend_refs.cc (backends and backendRefs), standard_header.cc (the standard header's
// allowlists, the headers the gateway owns), host_groups.cc (precedence, host groups,
// indexes, models).
#ifndef LLMROUTE_COMPILE_COMPILER_H_
#define LLMROUTE_COMPILE_COMPILER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "compile/compiled_table.h"
#include "llmroute/config.h"
#include "llmroute/diagnostic.h"
#include "llmroute/table.h"

namespace llmroute::internal {

// `origin` with `suffix` appended to its field path.
Origin WithField(const Origin& origin, std::string_view suffix);

// An InvalidArgument status carrying the error's diagnostic.
absl::Status ErrorAt(const Origin& where, std::string message);

Diagnostic WarningAt(const Origin& where, std::string message);

// "namespace/name".
std::string FullName(std::string_view namespace_, std::string_view name);

// Precedence criteria 1–5 of one match (docs/routing.md#precedence); criteria 6–8 follow
// from match ids, which are given in route order, then rule order, then match order.
struct PrecedenceKey {
  int path_type_rank = 2;  // Exact 0, RegularExpression 1, PathPrefix 2
  std::size_t path_length = 1;
  bool has_method = false;
  std::size_t headers = 0;
  std::size_t exact_headers = 0;
  std::size_t queries = 0;
  std::size_t exact_queries = 0;

  // Negative when `this` takes precedence over `other` on criteria 1–5, 0 on a tie.
  int Compare(const PrecedenceKey& other) const {
    if (path_type_rank != other.path_type_rank) return path_type_rank < other.path_type_rank ? -1 : 1;
    if (path_length != other.path_length) return path_length > other.path_length ? -1 : 1;
    if (has_method != other.has_method) return has_method ? -1 : 1;
    if (headers != other.headers) return headers > other.headers ? -1 : 1;
    if (exact_headers != other.exact_headers) return exact_headers > other.exact_headers ? -1 : 1;
    if (queries != other.queries) return queries > other.queries ? -1 : 1;
    if (exact_queries != other.exact_queries) return exact_queries > other.exact_queries ? -1 : 1;
    return 0;
  }
};

// Used once: Compiler(config, options).Run(). `config` and `options` must outlive it; the
// table it returns refers to neither.
class Compiler {
 public:
  Compiler(const Config& config, const CompileOptions& options)
      : config_(config), options_(options), table_(std::make_unique<CompiledTable>()) {}

  absl::StatusOr<std::unique_ptr<CompiledTable>> Run();

 private:
  const Route& ConfigRoute(uint32_t route_id) const { return config_.routes[route_order_[route_id]]; }

  uint32_t HeaderSlot(std::string_view name);

  uint32_t QuerySlot(std::string_view name);

  absl::StatusOr<const RE2*> CompileRegex(const LocatedString& pattern);

  // The literal every whole match of `regex` starts with: the common prefix of the bounds
  // RE2 gives for anchored matches (any match lies between them).
  std::string_view LiteralPrefix(const RE2& regex);

  absl::Status CheckOptions();

  // A sessionAffinity: both or neither of header and bodyField (possible when built by
  // hand), a name that is not a token, a body field name too long.
  absl::Status CheckAffinity(const SessionAffinity& affinity, std::string_view what);

  // The effective affinity of a rule: its own, else its route's, else the compile default.
  absl::Status CompileAffinity(const Route& route, const Rule& rule, CompiledRule& compiled);

  absl::Status OrderRoutes();

  uint32_t BackendId(std::string_view namespace_, std::string_view name);

  static std::string_view RefNamespace(const Route& route, const BackendRef& ref);

  // Every backend that exists: declared by a backend document or referenced by a route.
  // A backend is one kind: every reference to an InferencePool says so, and no backend
  // document declares that name.
  absl::Status CollectBackends();

  absl::Status CompileRoute(uint32_t route_id);

  absl::Status CompileRule(uint32_t route_id, const Route& route, uint32_t rule_index);

  void AddMatch(const CompiledMatch& match, const PrecedenceKey& key);

  absl::Status CompileMatch(uint32_t route_id, uint32_t rule_id, uint32_t match_index,
                            const RouteMatch& config_match);

  // Header or query conditions of one match. A name listed twice counts once: the first.
  absl::StatusOr<Range> CompileConditions(const std::vector<ValueMatch>& items, bool is_header,
                                          std::size_t& count, std::size_t& exact_count);

  // Checks a backendRef's mutations and copies them into the table; null when it has none.
  absl::StatusOr<const BackendMutations*> CompileMutations(const BackendRef& ref);

  // A header name of headerMutation: a token, named once in set and remove together.
  static absl::Status CheckMutationHeaderName(const LocatedString& name,
                                              absl::flat_hash_set<std::string>& seen);

  // A top-level field name of bodyMutation: not empty, bounded, named once.
  static absl::Status CheckMutationBodyField(const LocatedString& field,
                                             absl::flat_hash_set<std::string>& seen);

  absl::Status CompileBackendRefs(const Route& route, const Rule& rule, CompiledRule& compiled);

  // The route's allowlist for the standard routing header.
  absl::Status CompileStandardHeader(uint32_t route_id);

  // Sorts all matches by precedence; ties on criteria 1–5 keep id order, which is
  // route order, then rule order, then match order (criteria 6–8).
  void RankMatches();

  absl::Status BuildHostGroups();

  // One host group: its matches by rank and an anchor index per match (its rarest exact
  // condition in this group), so resolve looks candidates up instead of scanning.
  uint32_t BuildGroup(const std::vector<uint32_t>& route_ids, const std::vector<Range>& matches_of_route);

  // Fills CompiledTable::header_names and query_names.
  void BucketNamesByLength();

  Candidate MakeCandidate(uint32_t rank, uint32_t match_id, uint32_t proven_condition) const;

  static void AddPrefixAnchor(RankIndex& index, const std::string& prefix, Range ranks);

  // The headers the gateway decides: the model header, then every enabled standard
  // header name (the compile default's too, when enabled), in route order, each once.
  // Then every session affinity header, in rule order.
  void CollectOwnedHeaders();

  // Every Exact value of the model header, first route (in route order) that names it;
  // the same for each host group's routes.
  void CollectModels();

  void AppendModels(Range matches, std::vector<ModelEntry>& models) const;

  // Keeps the first entry of each model, in order.
  static void Deduplicate(std::vector<ModelEntry>& models);

  const Config& config_;
  const CompileOptions& options_;
  std::unique_ptr<CompiledTable> table_;
  std::vector<uint32_t> route_order_;                 // route id → index in config_.routes
  std::vector<std::vector<std::string>> route_hostnames_;  // lower-cased, per route id
  StringMap<uint32_t> backend_ids_;                   // "ns/name" → backend id
  std::vector<PrecedenceKey> precedence_;             // per match id
  std::vector<Origin> rule_origins_;                  // per rule id
  std::vector<std::string_view> rule_owned_by_;       // per rule id: its models' owner
  std::vector<int64_t> rule_created_;                 // per rule id: its models' creation
  std::vector<std::optional<Origin>> backend_kind_origins_;  // per backend id: first declaration
  std::vector<Range> matches_of_route_;               // per route id: its match ids
  std::vector<std::vector<uint32_t>> group_routes_;   // per group: its route ids, route order
  std::vector<uint32_t> ranked_;                      // match ids by precedence
  std::vector<uint32_t> rank_of_match_;
  int64_t regex_program_size_ = 0;                    // RE2 instructions so far
  std::vector<uint32_t> health_names_;                // backend id → process-wide number
  std::optional<SessionAffinity> default_affinity_;   // from the compile options
  std::vector<std::string> affinity_headers_;         // every rule's, for owned_headers
};

}  // namespace llmroute::internal

#endif  // LLMROUTE_COMPILE_COMPILER_H_
