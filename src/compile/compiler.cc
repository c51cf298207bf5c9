// Compile: Config → CompiledTable. Validates, applies defaults and limits, orders every
// (route, rule, match) by Gateway API precedence (docs/routing.md#precedence) and builds
// the indexes that let resolve find candidates by lookup instead of scanning.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "compile/compiled_table.h"
#include "compile/shadowing.h"
#include "llmroute/table.h"
#include "simdjson.h"
#include "text/http_text.h"

namespace llmroute {
namespace internal {
namespace {

Origin WithField(const Origin& origin, std::string_view suffix) {
  Origin result = origin;
  result.field += suffix;
  return result;
}

absl::Status ErrorAt(const Origin& where, std::string message) {
  return absl::InvalidArgumentError(
      Diagnostic{Severity::kError, where, std::move(message)}.ToString());
}

Diagnostic WarningAt(const Origin& where, std::string message) {
  return Diagnostic{Severity::kWarning, where, std::move(message)};
}

std::string FullName(std::string_view namespace_, std::string_view name) {
  return absl::StrCat(AsAbsl(namespace_), "/", AsAbsl(name));
}

// Route order (docs/routing.md#route-order): oldest creationTimestamp first (absent is
// oldest), then "namespace/name" in byte order.
bool RouteOrderLess(const Route& a, const Route& b) {
  if (a.creation_seconds.has_value() != b.creation_seconds.has_value()) {
    return !a.creation_seconds.has_value();
  }
  if (a.creation_seconds.has_value()) {
    if (*a.creation_seconds != *b.creation_seconds) return *a.creation_seconds < *b.creation_seconds;
    if (a.creation_nanos != b.creation_nanos) return a.creation_nanos < b.creation_nanos;
  }
  return FullName(a.namespace_, a.name.value) < FullName(b.namespace_, b.name.value);
}

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

// Why `text` is not one JSON value ("" when it is one).
std::string JsonValueError(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  const simdjson::padded_string padded(text);
  const simdjson::error_code error = parser.parse(padded).get(element);
  return error == simdjson::SUCCESS ? std::string() : std::string(simdjson::error_message(error));
}

class Compiler {
 public:
  Compiler(const Config& config, const CompileOptions& options)
      : config_(config), options_(options), table_(std::make_unique<CompiledTable>()) {}

  absl::StatusOr<std::unique_ptr<CompiledTable>> Run() {
    if (auto status = CheckOptions(); !status.ok()) return status;
    if (auto status = OrderRoutes(); !status.ok()) return status;
    if (auto status = CollectBackends(); !status.ok()) return status;
    for (uint32_t route_id = 0; route_id < route_order_.size(); ++route_id) {
      if (auto status = CompileRoute(route_id); !status.ok()) return status;
    }
    for (uint32_t route_id = 0; route_id < route_order_.size(); ++route_id) {
      if (auto status = CompileStandardHeader(route_id); !status.ok()) return status;
    }
    RankMatches();
    if (auto status = BuildHostGroups(); !status.ok()) return status;
    for (const Diagnostic& warning : FindShadowedRules(*table_, rank_of_match_, rule_origins_)) {
      table_->warnings.push_back(warning);
    }
    CollectModels();
    CollectOwnedHeaders();
    BucketHeaderNamesByLength();
    return std::move(table_);
  }

 private:
  const Route& ConfigRoute(uint32_t route_id) const { return config_.routes[route_order_[route_id]]; }

  uint32_t HeaderSlot(std::string_view name) {
    std::string lower = AsciiLowerCopy(name);
    auto [it, inserted] = table_->header_slots.try_emplace(lower, table_->header_slots.size());
    table_->longest_header_name = std::max(table_->longest_header_name, lower.size());
    return it->second;
  }

  uint32_t QuerySlot(std::string_view name) {
    auto [it, inserted] = table_->query_slots.try_emplace(std::string(name), table_->query_slots.size());
    return it->second;
  }

  absl::StatusOr<const RE2*> CompileRegex(const LocatedString& pattern) {
    if (table_->regexes.size() >= kMaxRegexesPerTable) {
      return ErrorAt(pattern.origin,
                     absl::StrCat("too many regular expressions: at most ", kMaxRegexesPerTable,
                                  " a table"));
    }
    RE2::Options re2_options;
    re2_options.set_log_errors(false);
    re2_options.set_max_mem(kMaxRegexMemory);
    auto regex = std::make_unique<RE2>(pattern.value, re2_options);
    if (!regex->ok()) {
      return ErrorAt(pattern.origin, absl::StrCat("invalid regular expression: ", regex->error()));
    }
    // Bounded repetitions multiply a program's size; the sum bounds the table's memory.
    regex_program_size_ += regex->ProgramSize();
    if (regex_program_size_ > kMaxRegexProgramSize) {
      return ErrorAt(pattern.origin,
                     absl::StrCat("regular expressions too large: their compiled programs exceed ",
                                  kMaxRegexProgramSize, " instructions in total"));
    }
    return table_->regexes.emplace_back(std::move(regex)).get();
  }

  // The literal every whole match of `regex` starts with: the common prefix of the bounds
  // RE2 gives for anchored matches (any match lies between them).
  std::string_view LiteralPrefix(const RE2& regex) {
    std::string min, max;
    if (!regex.PossibleMatchRange(&min, &max, 64)) return {};
    std::size_t length = 0;
    while (length < min.size() && length < max.size() && min[length] == max[length]) ++length;
    return length == 0 ? std::string_view() : table_->strings.Add(std::string_view(min).substr(0, length));
  }

  absl::Status CheckOptions() {
    if (!IsToken(options_.model_header)) {
      return ErrorAt({}, absl::StrCat("compile option model header \"", options_.model_header,
                                      "\" is not a valid header name"));
    }
    table_->model_header = AsciiLowerCopy(options_.model_header);
    table_->model_slot = HeaderSlot(options_.model_header);
    if (options_.max_body_size == 0 || options_.max_body_size > kMaxBodySizeLimit) {
      return ErrorAt({}, absl::StrCat("compile option max body size ", options_.max_body_size,
                                      " is not between 1 and ", kMaxBodySizeLimit, " bytes"));
    }
    table_->body_limit.max_bytes = options_.max_body_size;
    table_->body_limit.too_large_reason = table_->strings.Add(absl::StrCat(
        "body is larger than the max body size of ", options_.max_body_size, " bytes"));
    if (options_.standard_header.enabled) {
      if (!IsToken(options_.standard_header.header_name)) {
        return ErrorAt({}, absl::StrCat("compile option standard header \"",
                                        options_.standard_header.header_name,
                                        "\" is not a valid header name"));
      }
      if (options_.standard_header.allowed_backends == AllowedBackends::kExplicit) {
        return ErrorAt({}, "compile option allowed backends cannot be Explicit (there is no list)");
      }
    }
    return absl::OkStatus();
  }

  absl::Status OrderRoutes() {
    const auto& routes = config_.routes;
    if (routes.size() > kMaxRoutes) {
      return ErrorAt(routes[kMaxRoutes].name.origin,
                     absl::StrCat("too many routes: at most ", kMaxRoutes, " are allowed"));
    }
    StringMap<uint32_t> seen;
    for (uint32_t i = 0; i < routes.size(); ++i) {
      const Route& route = routes[i];
      if (route.name.value.empty()) return ErrorAt(route.name.origin, "route name is required");
      auto [it, inserted] = seen.try_emplace(FullName(route.namespace_, route.name.value), i);
      if (!inserted) {
        const Origin& first = routes[it->second].name.origin;
        return ErrorAt(route.name.origin,
                       absl::StrCat("duplicate route \"", it->first, "\" (first defined at ",
                                    first.file.empty() ? "" : absl::StrCat(first.file, ":"),
                                    first.line, ")"));
      }
      route_order_.push_back(i);
    }
    std::stable_sort(route_order_.begin(), route_order_.end(), [&](uint32_t a, uint32_t b) {
      return RouteOrderLess(routes[a], routes[b]);
    });
    return absl::OkStatus();
  }

  uint32_t BackendId(std::string_view namespace_, std::string_view name) {
    auto [it, inserted] = backend_ids_.try_emplace(FullName(namespace_, name), table_->backends.size());
    if (inserted) {
      table_->backends.push_back(
          {table_->strings.Add(namespace_), table_->strings.Add(name)});
      table_->backend_kinds.push_back(BackendRefKind::kBackend);
      backend_kind_origins_.emplace_back();
    }
    return it->second;
  }

  static std::string_view RefNamespace(const Route& route, const BackendRef& ref) {
    return ref.namespace_.has_value() ? std::string_view(ref.namespace_->value)
                                      : std::string_view(route.namespace_);
  }

  // Every backend that exists: declared by a backend document or referenced by a route.
  // A backend is one kind: every reference to an InferencePool says so, and no backend
  // document declares that name.
  absl::Status CollectBackends() {
    for (const Backend& backend : config_.backends) {
      const uint32_t id = BackendId(backend.namespace_, backend.name.value);
      if (!backend_kind_origins_[id].has_value()) backend_kind_origins_[id] = backend.name.origin;
    }
    for (uint32_t route_id = 0; route_id < route_order_.size(); ++route_id) {
      const Route& route = ConfigRoute(route_id);
      for (const Rule& rule : route.rules) {
        for (const BackendRef& ref : rule.backend_refs) {
          if (ref.name.value.empty()) continue;
          const uint32_t id = BackendId(RefNamespace(route, ref), ref.name.value);
          std::optional<Origin>& first = backend_kind_origins_[id];
          if (!first.has_value()) {
            first = ref.kind_origin;
            table_->backend_kinds[id] = ref.kind;
          } else if (table_->backend_kinds[id] != ref.kind) {
            return ErrorAt(ref.kind_origin,
                           absl::StrCat("backend \"", FullName(RefNamespace(route, ref), ref.name.value),
                                        "\" is ", ref.kind == BackendRefKind::kInferencePool ? "an InferencePool" : "a backend",
                                        " here but ", ref.kind == BackendRefKind::kInferencePool ? "a backend" : "an InferencePool",
                                        " at ", first->file.empty() ? "" : absl::StrCat(first->file, ":"),
                                        first->line, ":", first->column));
          }
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status CompileRoute(uint32_t route_id) {
    const Route& route = ConfigRoute(route_id);
    CompiledRoute compiled;
    compiled.name = {table_->strings.Add(route.namespace_), table_->strings.Add(route.name.value)};
    table_->routes.push_back(std::move(compiled));

    if (route.hostnames.size() > kMaxHostnamesPerRoute) {
      return ErrorAt(route.hostnames[kMaxHostnamesPerRoute].origin,
                     absl::StrCat("too many hostnames: at most ", kMaxHostnamesPerRoute, " a route"));
    }
    std::vector<std::string> hostnames;
    for (const LocatedString& hostname : route.hostnames) {
      if (!IsValidHostname(hostname.value)) {
        return ErrorAt(hostname.origin, absl::StrCat("invalid hostname \"", hostname.value,
                                                     "\": expected DNS labels, optionally led by \"*.\""));
      }
      std::string lower = AsciiLowerCopy(hostname.value);
      if (std::find(hostnames.begin(), hostnames.end(), lower) == hostnames.end()) {
        hostnames.push_back(std::move(lower));
      }
    }
    route_hostnames_.push_back(std::move(hostnames));

    if (route.rules.size() > kMaxRulesPerRoute) {
      return ErrorAt(route.rules[kMaxRulesPerRoute].origin,
                     absl::StrCat("too many rules: at most ", kMaxRulesPerRoute, " a route"));
    }
    StringMap<const Rule*> rule_names;
    for (uint32_t rule_index = 0; rule_index < route.rules.size(); ++rule_index) {
      const Rule& rule = route.rules[rule_index];
      if (rule.name.has_value()) {
        auto [it, inserted] = rule_names.try_emplace(rule.name->value, &rule);
        if (!inserted) {
          return ErrorAt(rule.name->origin,
                         absl::StrCat("duplicate rule name \"", rule.name->value,
                                      "\" in this route (first at line ",
                                      it->second->name->origin.line, ")"));
        }
      }
      if (auto status = CompileRule(route_id, route, rule_index); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status CompileRule(uint32_t route_id, const Route& route, uint32_t rule_index) {
    const Rule& rule = route.rules[rule_index];
    const uint32_t rule_id = table_->rules.size();
    CompiledRule compiled;
    compiled.route = route_id;
    compiled.index = rule_index;
    if (rule.name.has_value()) {
      compiled.has_name = true;
      compiled.name = table_->strings.Add(rule.name->value);
    }
    if (rule.retry.has_value()) {
      // The loader checks these with each value's own position; a Config built by hand is
      // checked here.
      const RetryConfig& retry = *rule.retry;
      for (std::size_t i = 0; i < retry.codes.size(); ++i) {
        if (retry.codes[i] < 400 || retry.codes[i] > 599) {
          return ErrorAt(WithField(retry.origin, absl::StrCat(".codes[", i, "]")),
                         absl::StrCat("retry code ", retry.codes[i], " is not an HTTP status from 400 to 599"));
        }
        if (std::find(retry.codes.begin(), retry.codes.begin() + i, retry.codes[i]) != retry.codes.begin() + i) {
          return ErrorAt(WithField(retry.origin, absl::StrCat(".codes[", i, "]")),
                         absl::StrCat("retry code ", retry.codes[i], " is listed twice"));
        }
      }
      if (retry.attempts > 16) {
        return ErrorAt(WithField(retry.origin, ".attempts"),
                       absl::StrCat("attempts ", retry.attempts, " is not from 0 to 16"));
      }
      const std::vector<uint16_t>& codes = table_->retry_codes.emplace_back(retry.codes);
      compiled.retry = &table_->retry_policies.emplace_back(RetryPolicy{codes, retry.attempts, retry.backoff_ms});
    }
    table_->rules.push_back(compiled);
    rule_origins_.push_back(rule.origin);
    rule_owned_by_.push_back(rule.models_owned_by.has_value()
                                 ? table_->strings.Add(*rule.models_owned_by)
                                 : kDefaultModelsOwnedBy);
    rule_created_.push_back(rule.models_created_seconds.value_or(route.creation_seconds.value_or(0)));

    if (rule.matches.size() > kMaxMatchesPerRule) {
      return ErrorAt(rule.matches[kMaxMatchesPerRule].origin,
                     absl::StrCat("too many matches: at most ", kMaxMatchesPerRule, " a rule"));
    }
    if (rule.matches.empty()) {
      CompiledMatch match;
      match.route = route_id;
      match.rule = rule_id;
      AddMatch(match, PrecedenceKey{});
    }
    for (uint32_t match_index = 0; match_index < rule.matches.size(); ++match_index) {
      if (auto status = CompileMatch(route_id, rule_id, match_index, rule.matches[match_index]);
          !status.ok()) {
        return status;
      }
    }
    return CompileBackendRefs(route, rule, table_->rules[rule_id]);
  }

  void AddMatch(const CompiledMatch& match, const PrecedenceKey& key) {
    table_->matches.push_back(match);
    precedence_.push_back(key);
  }

  absl::Status CompileMatch(uint32_t route_id, uint32_t rule_id, uint32_t match_index,
                            const RouteMatch& config_match) {
    if (table_->matches.size() >= kMaxMatchesPerTable) {
      return ErrorAt(config_match.origin,
                     absl::StrCat("too many matches in the table: at most ", kMaxMatchesPerTable));
    }
    CompiledMatch match;
    match.route = route_id;
    match.rule = rule_id;
    match.match_index = match_index;
    PrecedenceKey key;

    const PathMatch& path = config_match.path;
    match.path_type = path.type;
    key.path_length = path.value.value.size();
    switch (path.type) {
      case MatchType::kExact:
      case MatchType::kPathPrefix: {
        if (!path.value.value.starts_with('/')) {
          return ErrorAt(path.value.origin, absl::StrCat("path value \"", path.value.value,
                                                         "\" must start with '/'"));
        }
        std::string_view value = path.value.value;
        if (path.type == MatchType::kPathPrefix && value.ends_with('/')) value.remove_suffix(1);
        match.path = table_->strings.Add(value);
        key.path_type_rank = path.type == MatchType::kExact ? 0 : 2;
        break;
      }
      case MatchType::kRegularExpression: {
        auto regex = CompileRegex(path.value);
        if (!regex.ok()) return regex.status();
        match.path = table_->strings.Add(path.value.value);
        match.path_regex = *regex;
        match.path_literal_prefix = LiteralPrefix(**regex);
        key.path_type_rank = 1;
        break;
      }
    }

    if (config_match.method.has_value()) {
      if (!IsToken(config_match.method->value)) {
        return ErrorAt(config_match.method->origin,
                       absl::StrCat("invalid method \"", config_match.method->value, "\""));
      }
      match.has_method = true;
      match.method = table_->strings.Add(config_match.method->value);
      key.has_method = true;
    }

    auto headers = CompileConditions(config_match.headers, /*is_header=*/true, key.headers,
                                     key.exact_headers);
    if (!headers.ok()) return headers.status();
    match.headers = *headers;
    auto queries = CompileConditions(config_match.query_params, /*is_header=*/false,
                                     key.queries, key.exact_queries);
    if (!queries.ok()) return queries.status();
    match.queries = *queries;
    AddMatch(match, key);
    return absl::OkStatus();
  }

  // Header or query conditions of one match. A name listed twice counts once: the first.
  absl::StatusOr<Range> CompileConditions(const std::vector<ValueMatch>& items, bool is_header,
                                          std::size_t& count, std::size_t& exact_count) {
    const std::size_t limit = is_header ? kMaxHeadersPerMatch : kMaxQueryParamsPerMatch;
    if (items.size() > limit) {
      return ErrorAt(items[limit].origin,
                     absl::StrCat("too many ", is_header ? "headers" : "query params",
                                  ": at most ", limit, " a match"));
    }
    auto& conditions = is_header ? table_->header_conditions : table_->query_conditions;
    Range range{static_cast<uint32_t>(conditions.size()), 0};
    absl::flat_hash_set<uint32_t> seen_keys;
    for (const ValueMatch& item : items) {
      if (!IsToken(item.name.value)) {
        return ErrorAt(item.name.origin,
                       absl::StrCat("invalid ", is_header ? "header" : "query param", " name \"",
                                    item.name.value, "\": not an HTTP token"));
      }
      if (item.type == MatchType::kPathPrefix) {
        return ErrorAt(item.origin, absl::StrCat("match type ", AsAbsl(MatchTypeName(item.type)),
                                                 " is only for paths"));
      }
      ValueCondition condition;
      condition.key = is_header ? HeaderSlot(item.name.value) : QuerySlot(item.name.value);
      condition.type = item.type;
      condition.value = table_->strings.Add(item.value.value);
      if (item.type == MatchType::kRegularExpression) {
        auto regex = CompileRegex(item.value);
        if (!regex.ok()) return regex.status();
        condition.regex = *regex;
        condition.literal_prefix = LiteralPrefix(**regex);
      }
      if (!seen_keys.insert(condition.key).second) continue;  // only the first counts
      conditions.push_back(condition);
      ++count;
      if (item.type == MatchType::kExact) ++exact_count;
    }
    range.end = conditions.size();
    return range;
  }

  // Checks a backendRef's mutations and copies them into the table; null when it has none.
  absl::StatusOr<const BackendMutations*> CompileMutations(const BackendRef& ref) {
    if (!ref.header_mutation.has_value() && !ref.body_mutation.has_value()) return nullptr;
    OwnedMutations& owned = table_->mutations.emplace_back();
    auto check_count = [](const auto& items, std::string_view what) -> absl::Status {
      if (items.size() <= kMaxMutationEntries) return absl::OkStatus();
      const auto& extra = items[kMaxMutationEntries];
      const Origin& where = [&]() -> const Origin& {
        if constexpr (requires { extra.origin; }) return extra.origin;
        else if constexpr (requires { extra.name; }) return extra.name.origin;
        else return extra.path.origin;
      }();
      return ErrorAt(where, absl::StrCat("too many entries in ", AsAbsl(what), ": at most ", kMaxMutationEntries));
    };
    if (ref.header_mutation.has_value()) {
      const HeaderMutation& mutation = *ref.header_mutation;
      if (auto status = check_count(mutation.set, "headerMutation.set"); !status.ok()) return status;
      if (auto status = check_count(mutation.remove, "headerMutation.remove"); !status.ok()) return status;
      absl::flat_hash_set<std::string> names;
      for (const HeaderMutation::Set& item : mutation.set) {
        if (auto status = CheckMutationHeaderName(item.name, names); !status.ok()) return status;
        if (item.value.value.size() > kMaxMutationHeaderValue) {
          return ErrorAt(item.value.origin, absl::StrCat("header value longer than ",
                                                         kMaxMutationHeaderValue, " bytes"));
        }
        if (!IsValidHeaderValue(item.value.value)) {
          return ErrorAt(item.value.origin,
                         "invalid header value: control characters (other than tab) are not allowed");
        }
        owned.header_set.push_back(
            {table_->strings.Add(item.name.value), table_->strings.Add(item.value.value)});
      }
      for (const LocatedString& name : mutation.remove) {
        if (auto status = CheckMutationHeaderName(name, names); !status.ok()) return status;
        owned.header_remove.push_back(table_->strings.Add(name.value));
      }
    }
    if (ref.body_mutation.has_value()) {
      const BodyMutation& mutation = *ref.body_mutation;
      if (auto status = check_count(mutation.set, "bodyMutation.set"); !status.ok()) return status;
      if (auto status = check_count(mutation.remove, "bodyMutation.remove"); !status.ok()) return status;
      absl::flat_hash_set<std::string> fields;
      for (const BodyMutation::Set& item : mutation.set) {
        if (auto status = CheckMutationBodyField(item.path, fields); !status.ok()) return status;
        if (item.value.value.size() > kMaxMutationBodyValue) {
          return ErrorAt(item.value.origin, absl::StrCat("body value longer than ",
                                                         kMaxMutationBodyValue, " bytes"));
        }
        if (std::string error = JsonValueError(item.value.value); !error.empty()) {
          return ErrorAt(item.value.origin, absl::StrCat("not a JSON value: ", error));
        }
        owned.body_set.push_back(
            {table_->strings.Add(item.path.value), table_->strings.Add(item.value.value)});
      }
      for (const LocatedString& field : mutation.remove) {
        if (auto status = CheckMutationBodyField(field, fields); !status.ok()) return status;
        owned.body_remove.push_back(table_->strings.Add(field.value));
      }
    }
    owned.view = {owned.header_set, owned.header_remove, owned.body_set, owned.body_remove};
    return &owned.view;
  }

  // A header name of headerMutation: a token, named once in set and remove together.
  static absl::Status CheckMutationHeaderName(const LocatedString& name,
                                              absl::flat_hash_set<std::string>& seen) {
    if (!IsToken(name.value)) {
      return ErrorAt(name.origin, absl::StrCat("invalid header name \"", name.value, "\": not an HTTP token"));
    }
    if (!seen.insert(AsciiLowerCopy(name.value)).second) {
      return ErrorAt(name.origin, absl::StrCat("header \"", name.value,
                                               "\" is already named in this headerMutation"));
    }
    return absl::OkStatus();
  }

  // A top-level field name of bodyMutation: not empty, bounded, named once.
  static absl::Status CheckMutationBodyField(const LocatedString& field,
                                             absl::flat_hash_set<std::string>& seen) {
    if (field.value.empty()) return ErrorAt(field.origin, "empty body field name");
    if (field.value.size() > kMaxMutationBodyPath) {
      return ErrorAt(field.origin, absl::StrCat("body field name longer than ", kMaxMutationBodyPath, " bytes"));
    }
    if (!seen.insert(field.value).second) {
      return ErrorAt(field.origin, absl::StrCat("body field \"", field.value,
                                                "\" is already named in this bodyMutation"));
    }
    return absl::OkStatus();
  }

  absl::Status CompileBackendRefs(const Route& route, const Rule& rule, CompiledRule& compiled) {
    const auto& refs = rule.backend_refs;
    if (refs.size() > kMaxBackendRefsPerRule) {
      return ErrorAt(refs[kMaxBackendRefsPerRule].origin,
                     absl::StrCat("too many backendRefs: at most ", kMaxBackendRefsPerRule, " a rule"));
    }
    // One selectable choice: a (backend, priority, model override) identity; later
    // backendRefs of the same identity add their weight to the first.
    struct Ref {
      uint32_t backend;
      int64_t weight;
      int64_t priority;
      const BackendRef* config;
      const BackendMutations* mutations;
    };
    std::vector<Ref> resolved;
    for (const BackendRef& ref : refs) {
      if (ref.name.value.empty()) return ErrorAt(ref.origin, "backendRef name is required");
      if (ref.weight < 0) return ErrorAt(ref.weight_origin, "weight must not be negative");
      if (ref.weight > kMaxWeight) {
        return ErrorAt(ref.weight_origin, absl::StrCat("weight must be at most ", kMaxWeight));
      }
      if (ref.priority < 0) return ErrorAt(ref.priority_origin, "priority must not be negative");
      if (ref.priority > kMaxPriority) {
        return ErrorAt(ref.priority_origin, absl::StrCat("priority must be at most ", kMaxPriority));
      }
      auto mutations = CompileMutations(ref);
      if (!mutations.ok()) return mutations.status();
      const uint32_t backend = BackendId(RefNamespace(route, ref), ref.name.value);
      if (ref.weight == 0) continue;  // never selectable; it still names the backend
      auto same = std::find_if(resolved.begin(), resolved.end(), [&](const Ref& earlier) {
        return earlier.backend == backend && earlier.priority == ref.priority &&
               earlier.config->model_name_override == ref.model_name_override;
      });
      if (same == resolved.end()) {
        resolved.push_back({backend, ref.weight, ref.priority, &ref, *mutations});
        continue;
      }
      same->weight += ref.weight;
      const Origin& first = same->config->origin;
      table_->warnings.push_back(WarningAt(
          ref.origin,
          absl::StrCat("backend \"", FullName(RefNamespace(route, ref), ref.name.value), "\" at priority ",
                       ref.priority,
                       ref.model_name_override.has_value()
                           ? absl::StrCat(" with modelNameOverride \"", *ref.model_name_override, "\"")
                           : std::string(),
                       " is already listed at line ", first.line,
                       ": merged into that entry, weights added (its other fields are ignored)")));
    }
    // Tiers by priority; backendRefs order within a tier.
    std::stable_sort(resolved.begin(), resolved.end(),
                     [](const Ref& a, const Ref& b) { return a.priority < b.priority; });
    if (resolved.empty()) return absl::OkStatus();  // no_backend at resolve

    const int64_t chosen_priority = resolved.front().priority;
    std::vector<Ref> tier, later;
    for (const Ref& ref : resolved) (ref.priority == chosen_priority ? tier : later).push_back(ref);

    compiled.chosen_tier.begin = table_->weighted_backends.size();
    compiled.running_sums.begin = table_->running_sums.size();
    uint64_t running_sum = 0;
    for (const Ref& ref : tier) {
      WeightedBackend weighted;
      weighted.backend = table_->backends[ref.backend];
      if (ref.config->model_name_override.has_value()) {
        weighted.has_model_override = true;
        weighted.model_override = table_->strings.Add(*ref.config->model_name_override);
      }
      weighted.kind = ref.config->kind;
      weighted.mutations = ref.mutations;
      table_->weighted_backends.push_back(weighted);
      running_sum += static_cast<uint64_t>(ref.weight);
      table_->running_sums.push_back(running_sum);
    }
    compiled.chosen_tier.end = table_->weighted_backends.size();
    compiled.running_sums.end = table_->running_sums.size();

    // Fallbacks of each possible choice: the rest of the tier rotated to start after it,
    // then the later tiers — precomputed so a decision points at them. Identities are
    // distinct after merging, so no fallback repeats one, nor the chosen entry's.
    auto FallbackOf = [this](const Ref& ref) {
      Fallback fallback{table_->backends[ref.backend], std::nullopt};
      if (ref.config->model_name_override.has_value()) {
        fallback.model_override = table_->strings.Add(*ref.config->model_name_override);
      }
      return fallback;
    };
    compiled.fallbacks_begin = table_->fallback_pool.size();
    compiled.fallbacks_stride = tier.size() - 1 + later.size();
    for (std::size_t chosen = 0; chosen < tier.size(); ++chosen) {
      for (std::size_t step = 1; step < tier.size(); ++step) {
        table_->fallback_pool.push_back(FallbackOf(tier[(chosen + step) % tier.size()]));
      }
      for (const Ref& ref : later) table_->fallback_pool.push_back(FallbackOf(ref));
    }
    return absl::OkStatus();
  }

  // The route's allowlist for the standard routing header.
  absl::Status CompileStandardHeader(uint32_t route_id) {
    const Route& route = ConfigRoute(route_id);
    CompiledRoute& compiled = table_->routes[route_id];
    std::string header_name;
    AllowedBackends policy;
    OnDisallowed on_disallowed;
    if (route.standard_header.has_value()) {
      const StandardRoutingHeader& section = *route.standard_header;
      if (section.backends_given && section.allowed_backends != AllowedBackends::kExplicit) {
        table_->warnings.push_back(WarningAt(
            WithField(section.origin, ".backends"),
            "backends is read only with allowedBackends: Explicit; it is ignored"));
      }
      if (!section.enabled) return absl::OkStatus();
      if (!IsToken(section.header_name.value)) {
        return ErrorAt(section.header_name.origin,
                       absl::StrCat("invalid header name \"", section.header_name.value, "\""));
      }
      header_name = section.header_name.value;
      policy = section.allowed_backends;
      on_disallowed = section.on_disallowed;
    } else {
      if (!options_.standard_header.enabled) return absl::OkStatus();
      header_name = options_.standard_header.header_name;
      policy = options_.standard_header.allowed_backends;
      on_disallowed = options_.standard_header.on_disallowed;
    }

    StandardHeaderPolicy& standard = compiled.standard_header;
    compiled.has_standard_header = true;
    standard.slot = HeaderSlot(header_name);
    standard.on_disallowed = on_disallowed;
    standard.refusal_reason = table_->strings.Add(absl::StrCat(
        "the ", AsciiLowerCopy(header_name), " header names a backend this route does not allow"));
    standard.conflict_reason = table_->strings.Add(
        absl::StrCat("the ", AsciiLowerCopy(header_name), " header holds conflicting values"));
    auto allow = [&](uint32_t backend) {
      const NamespacedName& name = table_->backends[backend];
      standard.allowed_by_full_name.try_emplace(FullName(name.namespace_, name.name), backend);
      if (name.namespace_ == route.namespace_) {
        standard.allowed_by_name.try_emplace(std::string(name.name), backend);
      }
    };
    switch (policy) {
      case AllowedBackends::kRulesOnly:
        for (const Rule& rule : route.rules) {
          for (const BackendRef& ref : rule.backend_refs) {
            allow(backend_ids_.at(FullName(RefNamespace(route, ref), ref.name.value)));
          }
        }
        break;
      case AllowedBackends::kSameNamespace:
        for (uint32_t backend = 0; backend < table_->backends.size(); ++backend) {
          if (table_->backends[backend].namespace_ == route.namespace_) allow(backend);
        }
        break;
      case AllowedBackends::kExplicit: {
        const auto& entries = route.standard_header->backends;
        if (entries.size() > kMaxAllowlistEntries) {
          return ErrorAt(entries[kMaxAllowlistEntries].origin,
                         absl::StrCat("too many backends: at most ", kMaxAllowlistEntries));
        }
        absl::flat_hash_set<uint32_t> listed;
        for (const LocatedString& entry : entries) {
          std::string full = entry.value.find('/') == std::string::npos
                                 ? FullName(route.namespace_, entry.value)
                                 : entry.value;
          auto it = backend_ids_.find(full);
          if (it == backend_ids_.end()) {
            return ErrorAt(entry.origin,
                           absl::StrCat("unknown backend \"", entry.value,
                                        "\": no backend document declares it and no backendRef "
                                        "references it"));
          }
          if (!listed.insert(it->second).second) {
            table_->warnings.push_back(WarningAt(
                entry.origin, absl::StrCat("backend \"", entry.value,
                                           "\" is already in this allowlist")));
            continue;
          }
          allow(it->second);
        }
        break;
      }
    }
    return absl::OkStatus();
  }

  // Sorts all matches by precedence; ties on criteria 1–5 keep id order, which is
  // route order, then rule order, then match order (criteria 6–8).
  void RankMatches() {
    ranked_.resize(table_->matches.size());
    for (uint32_t i = 0; i < ranked_.size(); ++i) ranked_[i] = i;
    std::stable_sort(ranked_.begin(), ranked_.end(), [&](uint32_t a, uint32_t b) {
      return precedence_[a].Compare(precedence_[b]) < 0;
    });
    rank_of_match_.resize(ranked_.size());
    for (uint32_t rank = 0; rank < ranked_.size(); ++rank) rank_of_match_[ranked_[rank]] = rank;
  }

  absl::Status BuildHostGroups() {
    // Routes of each hostname, in route order; the catch-all holds routes without any.
    StringMap<std::vector<uint32_t>> routes_by_hostname;
    std::vector<std::string> hostname_order;
    std::vector<uint32_t> catch_all_routes;
    for (uint32_t route_id = 0; route_id < route_hostnames_.size(); ++route_id) {
      if (route_hostnames_[route_id].empty()) catch_all_routes.push_back(route_id);
      for (const std::string& hostname : route_hostnames_[route_id]) {
        auto [it, inserted] = routes_by_hostname.try_emplace(hostname);
        if (inserted) hostname_order.push_back(hostname);
        it->second.push_back(route_id);
      }
    }
    // Where each route's matches are: ids are contiguous per route.
    std::vector<Range>& matches_of_route = matches_of_route_;
    matches_of_route.assign(table_->routes.size(), Range{});
    for (uint32_t id = table_->matches.size(); id-- > 0;) {
      Range& range = matches_of_route[table_->matches[id].route];
      if (range.empty()) range.end = id + 1;
      range.begin = id;
    }
    for (const std::string& hostname : hostname_order) {
      const uint32_t group = BuildGroup(routes_by_hostname[hostname], matches_of_route);
      if (hostname.starts_with("*.")) {
        table_->wildcard_hosts.emplace(hostname.substr(1), group);
      } else {
        table_->exact_hosts.emplace(hostname, group);
      }
    }
    if (!catch_all_routes.empty()) {
      table_->catch_all_group = BuildGroup(catch_all_routes, matches_of_route);
    }
    return absl::OkStatus();
  }

  // One host group: its matches by rank and an anchor index per match (its rarest exact
  // condition in this group), so resolve looks candidates up instead of scanning.
  uint32_t BuildGroup(const std::vector<uint32_t>& route_ids, const std::vector<Range>& matches_of_route) {
    HostGroup group;
    std::vector<uint32_t> ranked;  // match ids, best precedence first
    for (uint32_t route_id : route_ids) {
      for (uint32_t id = matches_of_route[route_id].begin; id < matches_of_route[route_id].end; ++id) {
        ranked.push_back(id);
      }
      if (table_->routes[route_id].has_standard_header) group.standard_header_routes.push_back(route_id);
    }
    std::sort(ranked.begin(), ranked.end(),
              [&](uint32_t a, uint32_t b) { return rank_of_match_[a] < rank_of_match_[b]; });

    // Candidate anchors of a match, as (index kind, slot, value).
    enum Kind : char {
      kExactPath = 'P', kHeader = 'H', kQuery = 'Q', kPrefix = 'X', kPathRegex = 'r', kHeaderRegex = 'R'
    };
    struct Anchor {
      Kind kind;
      uint32_t slot;
      std::string_view value;
      uint32_t condition = kNone;  // the header condition an exact header anchor proves
      std::string Key() const { return absl::StrCat(std::string(1, kind), slot, ":", AsAbsl(value)); }
    };
    auto anchors_of = [&](const CompiledMatch& match) {
      std::vector<Anchor> anchors;
      if (match.path_type == MatchType::kExact) anchors.push_back({kExactPath, 0, match.path});
      for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
        const ValueCondition& condition = table_->header_conditions[c];
        if (condition.type == MatchType::kExact) anchors.push_back({kHeader, condition.key, condition.value, c});
      }
      for (uint32_t c = match.queries.begin; c < match.queries.end; ++c) {
        const ValueCondition& condition = table_->query_conditions[c];
        if (condition.type == MatchType::kExact) anchors.push_back({kQuery, condition.key, condition.value});
      }
      if (match.path_type == MatchType::kPathPrefix && !match.path.empty()) {
        anchors.push_back({kPrefix, 0, match.path});
      }
      // Regex anchors by literal prefix rank after every exact anchor: they cost a regex run.
      if (match.path_type == MatchType::kRegularExpression && !match.path_literal_prefix.empty()) {
        anchors.push_back({kPathRegex, 0, match.path_literal_prefix});
      }
      for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
        const ValueCondition& condition = table_->header_conditions[c];
        if (condition.type == MatchType::kRegularExpression && !condition.literal_prefix.empty()) {
          anchors.push_back({kHeaderRegex, condition.key, condition.literal_prefix});
        }
      }
      return anchors;
    };
    StringMap<uint32_t> anchor_counts;
    for (uint32_t id : ranked) {
      for (const Anchor& anchor : anchors_of(table_->matches[id])) ++anchor_counts[anchor.Key()];
    }
    // Ranks per chosen anchor, then flattened into the group's rank pool.
    std::vector<std::pair<Anchor, std::vector<Candidate>>> lists;
    StringMap<uint32_t> list_of_key;
    std::vector<Candidate> residual;
    for (uint32_t rank = 0; rank < ranked.size(); ++rank) {
      std::vector<Anchor> anchors = anchors_of(table_->matches[ranked[rank]]);
      if (anchors.empty()) {
        residual.push_back(MakeCandidate(rank, ranked[rank], kNone));
        continue;
      }
      const Anchor* best = &anchors.front();
      uint32_t best_count = anchor_counts[best->Key()];
      for (const Anchor& anchor : anchors) {
        uint32_t count = anchor_counts[anchor.Key()];
        const bool is_regex = anchor.kind == kPathRegex || anchor.kind == kHeaderRegex;
        const bool best_is_regex = best->kind == kPathRegex || best->kind == kHeaderRegex;
        if (is_regex && !best_is_regex) continue;
        if (count < best_count || (best_is_regex && !is_regex)) {
          best = &anchor;
          best_count = count;
        }
      }
      auto [it, inserted] = list_of_key.try_emplace(best->Key(), lists.size());
      if (inserted) lists.push_back({*best, {}});
      lists[it->second].second.push_back(MakeCandidate(rank, ranked[rank], best->condition));
    }
    auto flatten = [&](const std::vector<Candidate>& ranks) {
      Range range{static_cast<uint32_t>(group.rank_pool.size()), 0};
      group.rank_pool.insert(group.rank_pool.end(), ranks.begin(), ranks.end());
      range.end = group.rank_pool.size();
      return range;
    };
    auto index_for = [](std::vector<RankIndex>& indexes, uint32_t slot) -> RankIndex& {
      for (RankIndex& index : indexes) {
        if (index.key == slot) return index;
      }
      indexes.push_back(RankIndex{slot, {}});
      return indexes.back();
    };
    group.residual = flatten(residual);
    for (const auto& [anchor, ranks] : lists) {
      const Range range = flatten(ranks);
      std::string value(anchor.value);
      switch (anchor.kind) {
        case kExactPath: group.exact_paths.ranks_by_value.emplace(value, range); break;
        case kPrefix: group.path_prefixes.ranks_by_value.emplace(value, range); break;
        case kHeader: index_for(group.header_values, anchor.slot).ranks_by_value.emplace(value, range); break;
        case kQuery: index_for(group.query_values, anchor.slot).ranks_by_value.emplace(value, range); break;
        case kPathRegex: AddPrefixAnchor(group.path_regex_prefixes, value, range); break;
        case kHeaderRegex:
          AddPrefixAnchor(index_for(group.header_regex_prefixes, anchor.slot), value, range);
          break;
      }
    }
    table_->groups.push_back(std::move(group));
    group_routes_.push_back(route_ids);
    return table_->groups.size() - 1;
  }

  void BucketHeaderNamesByLength() {
    std::vector<std::pair<std::string_view, uint32_t>> names;
    for (const auto& [name, slot] : table_->header_slots) names.emplace_back(name, slot);
    std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
      return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
    });
    table_->slot_names_by_length.assign(table_->longest_header_name + 1, Range{});
    for (const auto& [name, slot] : names) {
      if (name.size() < 64) table_->short_name_lengths |= uint64_t{1} << name.size();
      Range& bucket = table_->slot_names_by_length[name.size()];
      if (bucket.empty()) bucket.begin = bucket.end = table_->slot_names.size();
      table_->slot_names.push_back({name, slot});
      ++bucket.end;
    }
  }

  Candidate MakeCandidate(uint32_t rank, uint32_t match_id, uint32_t proven_condition) const {
    const CompiledMatch& match = table_->matches[match_id];
    Candidate candidate;
    candidate.rank = rank;
    candidate.match = match_id;
    candidate.proven_condition = proven_condition;
    candidate.rule = match.rule;
    candidate.match_index = match.match_index;
    candidate.proven_is_all = proven_condition != kNone && match.path_type == MatchType::kPathPrefix &&
                              match.path.empty() && !match.has_method && match.headers.size() == 1 &&
                              match.queries.empty();
    return candidate;
  }

  static void AddPrefixAnchor(RankIndex& index, const std::string& prefix, Range ranks) {
    index.ranks_by_value.emplace(prefix, ranks);
    auto& lengths = index.prefix_lengths;
    auto at = std::lower_bound(lengths.begin(), lengths.end(), prefix.size());
    if (at == lengths.end() || *at != prefix.size()) lengths.insert(at, prefix.size());
  }

  // The headers the gateway decides: the model header, then every enabled standard
  // header name (the compile default's too, when enabled), in route order, each once.
  // Affinity headers, when routes configure them, belong here as well.
  void CollectOwnedHeaders() {
    absl::flat_hash_set<std::string> seen;
    auto add = [&](std::string_view name) {
      std::string lower = AsciiLowerCopy(name);
      if (seen.insert(lower).second) table_->owned_headers.push_back(table_->strings.Add(lower));
    };
    add(table_->model_header);
    if (options_.standard_header.enabled) add(options_.standard_header.header_name);
    for (uint32_t route_id = 0; route_id < table_->routes.size(); ++route_id) {
      if (!table_->routes[route_id].has_standard_header) continue;
      const Route& route = ConfigRoute(route_id);
      if (route.standard_header.has_value()) add(route.standard_header->header_name.value);
    }
  }

  // Every Exact value of the model header, first route (in route order) that names it;
  // the same for each host group's routes.
  void CollectModels() {
    AppendModels(Range{0, static_cast<uint32_t>(table_->matches.size())}, table_->models);
    for (HostGroup& group : table_->groups) {
      // Match ids are contiguous per route and in route order, like the group's routes.
      for (uint32_t route_id : group_routes_[&group - table_->groups.data()]) {
        AppendModels(matches_of_route_[route_id], group.models);
      }
      Deduplicate(group.models);
    }
  }

  void AppendModels(Range matches, std::vector<ModelEntry>& models) const {
    for (uint32_t id = matches.begin; id < matches.end; ++id) {
      const CompiledMatch& match = table_->matches[id];
      for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
        const ValueCondition& condition = table_->header_conditions[c];
        if (condition.key != table_->model_slot || condition.type != MatchType::kExact) continue;
        models.push_back({condition.value, table_->routes[match.route].name,
                          rule_owned_by_[match.rule], rule_created_[match.rule]});
      }
    }
    Deduplicate(models);
  }

  // Keeps the first entry of each model, in order.
  static void Deduplicate(std::vector<ModelEntry>& models) {
    absl::flat_hash_set<std::string_view> seen;
    std::erase_if(models, [&](const ModelEntry& entry) { return !seen.insert(entry.model).second; });
  }

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
};

}  // namespace
}  // namespace internal

RoutingTable::RoutingTable(std::unique_ptr<internal::CompiledTable> compiled)
    : compiled_(std::move(compiled)) {}
RoutingTable::~RoutingTable() = default;

std::span<const Diagnostic> RoutingTable::warnings() const { return compiled_->warnings; }
std::span<const ModelEntry> RoutingTable::models() const { return compiled_->models; }
std::string_view RoutingTable::model_header() const { return compiled_->model_header; }
std::span<const std::string_view> RoutingTable::owned_headers() const {
  return compiled_->owned_headers;
}

absl::StatusOr<std::shared_ptr<const RoutingTable>> Compile(const Config& config,
                                                            const CompileOptions& options) {
  auto compiled = internal::Compiler(config, options).Run();
  if (!compiled.ok()) return compiled.status();
  (*compiled)->warnings.insert((*compiled)->warnings.begin(), config.warnings.begin(),
                               config.warnings.end());
  return std::shared_ptr<const RoutingTable>(new RoutingTable(std::move(*compiled)));
}

}  // namespace llmroute
