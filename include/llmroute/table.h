// Compile: Config → RoutingTable. Resolve: RoutingTable × Request → Decision.
//
// Like RE2, build once and use many times: `Compile` validates the config, applies the
// defaults and limits, orders every (route, rule, match) by Gateway API precedence and
// builds the indexes; the RoutingTable it returns is immutable.
//
// Thread-safety: a RoutingTable is immutable after Compile; any number of threads may call
// `Resolve` on one table at once, and llmroute takes no lock for it. The one lock is RE2's,
// in tables with RegularExpression conditions: each compiled regex keeps a DFA cache that
// every thread running that regex shares. RE2 takes its reader-writer lock as a reader for
// every search (an atomic update of a cache line those threads share), a mutex to add a
// DFA state (on a regex's first searches, and whenever a value reaches a state not cached
// yet), and the writer lock to reset a full cache. A value can force the last two: a regex
// whose DFA is large (such as `.*a[ab]{20}`) fed values that keep reaching new states fills
// its budget (kMaxRegexMemory, about two thirds for the DFA); RE2 then resets the cache or,
// when resets come too often, matches with its NFA instead: linear in value length ×
// program size (bounded by kMaxRegexProgramSize). Two threads doing so on one regex slow
// each other down further. Numbers: README, Performance. Compile keeps no shared state.
#ifndef LLMROUTE_TABLE_H_
#define LLMROUTE_TABLE_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/diagnostic.h"
#include "llmroute/request.h"

namespace llmroute {

// Limits checked by Compile; each breach is an error naming the field.
inline constexpr std::size_t kMaxRoutes = 4096;
inline constexpr std::size_t kMaxRulesPerRoute = 4096;
inline constexpr std::size_t kMaxMatchesPerRule = 64;
inline constexpr std::size_t kMaxHeadersPerMatch = 16;
inline constexpr std::size_t kMaxQueryParamsPerMatch = 16;
inline constexpr std::size_t kMaxBackendRefsPerRule = 128;
// Distinct `sessionAffinity.bodyField` names a table reads from bodies, and their length.
inline constexpr std::size_t kMaxAffinityBodyFields = 8;
inline constexpr std::size_t kMaxAffinityBodyFieldBytes = 64;
inline constexpr std::size_t kMaxHostnamesPerRoute = 16;
inline constexpr std::size_t kMaxAllowlistEntries = 1024;
// Matches in the whole table, counted once each (hostnames do not multiply them); a rule
// without matches counts as one.
inline constexpr std::size_t kMaxMatchesPerTable = 1 << 20;
inline constexpr int64_t kMaxWeight = 1000000;
inline constexpr int64_t kMaxPriority = 1000000;
// Regular expressions: how many, the memory RE2 may use for each (two thirds of it for the
// compiled program: about 87,000 instructions), and the total size of their compiled
// programs (RE2 instructions; `a{0,1000}` alone is about 3000).
inline constexpr std::size_t kMaxRegexesPerTable = 4096;
inline constexpr int64_t kMaxRegexMemory = 1 << 20;
inline constexpr int64_t kMaxRegexProgramSize = 500000;

// Request bodies. A body longer than `CompileOptions::max_body_size` (default
// kDefaultMaxBodySize, 64 MiB; at most kMaxBodySizeLimit, the JSON parser's own limit) is a
// bad_request before a byte of it is read. A thread keeps buffers for bodies up to
// kBodyRetainedBytes (1 MiB) between calls, so that ordinary bodies allocate nothing;
// the buffers for a larger body are freed before Resolve returns, so what a thread keeps
// is bounded by the retention threshold (about 5 times it: the token index and a copy of
// an unpadded body; 7 times at most with an escaped model and affinity values), not by
// the largest body it ever saw.
inline constexpr std::size_t kDefaultMaxBodySize = std::size_t{64} << 20;
inline constexpr std::size_t kMaxBodySizeLimit = 0xFFFFFFFF;
inline constexpr std::size_t kBodyRetainedBytes = std::size_t{1} << 20;

// Options that apply to the whole table.
struct CompileOptions {
  // The header that carries the model (matched case-insensitively); when the request has a
  // body, the body's "model" replaces it (docs/routing.md#body-model).
  std::string model_header = "x-ai-eg-model";

  // The standard routing header for routes without their own `standardRoutingHeader`
  // section (so exported cluster manifests work unchanged). A route's section wins as a
  // whole, even when partial. `kExplicit` is not allowed here (there is no list).
  struct StandardHeaderDefault {
    bool enabled = false;
    std::string header_name = "x-ai-gateway-backend";
    AllowedBackends allowed_backends = AllowedBackends::kRulesOnly;
    OnDisallowed on_disallowed = OnDisallowed::kReject;
  } standard_header;

  // The longest request body Resolve reads, in bytes: a longer one is a bad_request whose
  // reason names this limit, and is not parsed nor copied. Between 1 and kMaxBodySizeLimit
  // (Compile refuses other values).
  std::size_t max_body_size = kDefaultMaxBodySize;

  // Session affinity for routes and rules that have no `sessionAffinity` of their own: a
  // header name or a top-level body field (at most one of the two; empty: none).
  std::string affinity_header;
  std::string affinity_body_field;
};

// The owner a models list reports when the rule does not say (`modelsOwnedBy`).
inline constexpr std::string_view kDefaultModelsOwnedBy = "Envoy AI Gateway";

// One entry of the models list, what an OpenAI `/v1/models` endpoint returns as
// `{"id": model, "object": "model", "created": created, "owned_by": owned_by}`.
struct ModelEntry {
  std::string_view model;
  NamespacedName route;        // the first route (in route order) whose rules name it
  std::string_view owned_by;   // that rule's `modelsOwnedBy`, else kDefaultModelsOwnedBy
  int64_t created = 0;         // seconds since the Unix epoch: the rule's `modelsCreatedAt`,
                               // else the route's creationTimestamp, else 0
};

// Limits of a backendRef's mutations, checked by Compile.
inline constexpr std::size_t kMaxMutationEntries = 16;        // each of set and remove
inline constexpr std::size_t kMaxMutationHeaderValue = 4096;  // bytes of a header value
inline constexpr std::size_t kMaxMutationBodyPath = 256;      // bytes of a body field name
inline constexpr std::size_t kMaxMutationBodyValue = 65536;   // bytes of a body value's JSON

namespace internal {
struct CompiledTable;  // private layout, src/compile/compiled_table.h
}

class RoutingTable {
 public:
  ~RoutingTable();
  RoutingTable(const RoutingTable&) = delete;
  RoutingTable& operator=(const RoutingTable&) = delete;

  // Decides which backend gets `request`: the standard routing header, then the first
  // matching rule in precedence order, then weighted selection (docs/routing.md).
  // Allocates nothing on the heap once the calling thread has warmed up (its per-thread
  // scratch grows only for a request larger than any before), takes no lock of ours (RE2
  // takes its own for regex conditions, see above) and writes no memory shared with other
  // threads outside RE2.
  // The Decision's views stay valid while this table is alive (see llmroute/decision.h
  // for `model`). Thread-safe.
  Decision Resolve(const Request& request) const;

  // Warnings found while compiling: rules that can never win, duplicated allowlist
  // entries, `backends` given without `Explicit`, plus the loader's warnings.
  std::span<const Diagnostic> warnings() const;

  // Every value of an `Exact` match on the model header, with its route, de-duplicated,
  // in route order then rule order. Views into the table. Thread-safe.
  std::span<const ModelEntry> models() const;

  // The models of the routes that apply to `host`, chosen as Resolve chooses them (port
  // stripped, one trailing dot dropped, case-insensitive; exact hostnames beat wildcards,
  // longer wildcards beat shorter, any hostname beats routes without one): what a
  // `/v1/models` endpoint lists for one client. In route order then rule order,
  // de-duplicated. Views into the table; allocates nothing. Thread-safe.
  std::span<const ModelEntry> models(std::string_view host) const;

  // The model header name this table reads (lower-cased).
  std::string_view model_header() const;

  // The request headers the gateway owns: what it decides and a client must not smuggle
  // to a backend. The model header first, then the compile default's standard routing
  // header (when enabled), then every standard routing header a route enables, in route
  // order, then every session affinity header; lower-cased, each once. A proxy removes every one of them from the client's request before it sets the
  // upstream ones (UpstreamModel). Views into the table.
  std::span<const std::string_view> owned_headers() const;

  const internal::CompiledTable& compiled() const { return *compiled_; }

 private:
  friend absl::StatusOr<std::shared_ptr<const RoutingTable>> Compile(const Config&,
                                                                     const CompileOptions&);
  explicit RoutingTable(std::unique_ptr<internal::CompiledTable> compiled);
  std::unique_ptr<internal::CompiledTable> compiled_;
};

// Validates `config` and builds its table. Errors are absl::InvalidArgumentError whose
// message is one `Diagnostic::ToString()` line naming the file, line, column and field.
// The table copies what it needs: `config` may be destroyed afterwards.
absl::StatusOr<std::shared_ptr<const RoutingTable>> Compile(
    const Config& config, const CompileOptions& options = CompileOptions());

}  // namespace llmroute

#endif  // LLMROUTE_TABLE_H_
