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
#include "compile/compiler.h"
#include "compile/shadowing.h"
#include "diagnostic_status.h"
#include "llmroute/table.h"
#include "simdjson.h"
#include "text/http_text.h"

namespace llmroute {
namespace internal {

Origin WithField(const Origin& origin, std::string_view suffix) {
  Origin result = origin;
  result.field += suffix;
  return result;
}

absl::Status ErrorAt(const Origin& where, std::string message) {
  return DiagnosticError(absl::StatusCode::kInvalidArgument,
                         Diagnostic{Severity::kError, where, std::move(message)});
}

Diagnostic WarningAt(const Origin& where, std::string message) {
  return Diagnostic{Severity::kWarning, where, std::move(message)};
}

std::string FullName(std::string_view namespace_, std::string_view name) {
  return absl::StrCat(AsAbsl(namespace_), "/", AsAbsl(name));
}

namespace {

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

std::string TooManyMatchesInTheTable() {
  return absl::StrCat("too many matches in the table: at most ", kMaxMatchesPerTable,
                      " (a rule without matches counts as one)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<CompiledTable>> Compiler::Run() {
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
  BucketNamesByLength();
  return std::move(table_);
}

uint32_t Compiler::HeaderSlot(std::string_view name) {
  std::string lower = AsciiLowerCopy(name);
  auto [it, inserted] = table_->header_slots.try_emplace(lower, table_->header_slots.size());
  return it->second;
}

uint32_t Compiler::QuerySlot(std::string_view name) {
  auto [it, inserted] = table_->query_slots.try_emplace(std::string(name), table_->query_slots.size());
  return it->second;
}

absl::StatusOr<const RE2*> Compiler::CompileRegex(const LocatedString& pattern) {
  if (table_->regexes.size() >= kMaxRegexesPerTable) {
    return ErrorAt(pattern.origin,
                   absl::StrCat("too many regular expressions: at most ", kMaxRegexesPerTable,
                                " a table"));
  }
  RE2::Options re2_options;
  re2_options.set_log_errors(false);
  re2_options.set_max_mem(kMaxRegexMemory);
  auto regex = std::make_unique<RE2>(pattern.value, re2_options);
  if (regex->error_code() == RE2::ErrorPatternTooLarge) {
    return ErrorAt(pattern.origin,
                   absl::StrCat("regular expression too large: compiled, it does not fit the ",
                                kMaxRegexMemory,
                                " bytes of memory a regular expression may use (two thirds of "
                                "them for its program)"));
  }
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

std::string_view Compiler::LiteralPrefix(const RE2& regex) {
  std::string min, max;
  if (!regex.PossibleMatchRange(&min, &max, 64)) return {};
  std::size_t length = 0;
  while (length < min.size() && length < max.size() && min[length] == max[length]) ++length;
  return length == 0 ? std::string_view() : table_->strings.Add(std::string_view(min).substr(0, length));
}

absl::Status Compiler::CheckOptions() {
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
  if (!options_.affinity_header.empty() && !options_.affinity_body_field.empty()) {
    return ErrorAt({}, "compile options give both an affinity header and an affinity body field");
  }
  if (!options_.affinity_header.empty() || !options_.affinity_body_field.empty()) {
    SessionAffinity affinity;
    if (!options_.affinity_header.empty()) {
      affinity.header = LocatedString{options_.affinity_header, {}};
    } else {
      affinity.body_field = LocatedString{options_.affinity_body_field, {}};
    }
    if (auto status = CheckAffinity(affinity, "compile option affinity"); !status.ok()) {
      return status;
    }
    default_affinity_ = std::move(affinity);
  }
  return absl::OkStatus();
}

absl::Status Compiler::CheckAffinity(const SessionAffinity& affinity, std::string_view what) {
  if (affinity.header.has_value() == affinity.body_field.has_value()) {
    return ErrorAt(affinity.origin, "sessionAffinity needs exactly one of header and bodyField");
  }
  const LocatedString& name = affinity.header.has_value() ? *affinity.header : *affinity.body_field;
  const std::string_view kind = affinity.header.has_value() ? "header" : "body field";
  if (!IsToken(name.value)) {
    return ErrorAt(name.origin, absl::StrCat(AsAbsl(what), " ", AsAbsl(kind), " \"", name.value,
                                             "\" is not a valid token"));
  }
  if (affinity.body_field.has_value() && name.value.size() > kMaxAffinityBodyFieldBytes) {
    return ErrorAt(name.origin, absl::StrCat(AsAbsl(what), " body field \"", name.value,
                                             "\" is longer than ", kMaxAffinityBodyFieldBytes,
                                             " bytes"));
  }
  return absl::OkStatus();
}

absl::Status Compiler::CompileAffinity(const Route& route, const Rule& rule, CompiledRule& compiled) {
  const std::optional<SessionAffinity>& own =
      rule.session_affinity.has_value() ? rule.session_affinity
      : route.session_affinity.has_value() ? route.session_affinity
                                           : default_affinity_;
  if (!own.has_value()) return absl::OkStatus();
  if (auto status = CheckAffinity(*own, "sessionAffinity"); !status.ok()) return status;
  if (own->header.has_value()) {
    affinity_headers_.push_back(own->header->value);
    compiled.affinity_source = AffinitySource::kHeader;
    compiled.affinity_key = HeaderSlot(own->header->value);
    return absl::OkStatus();
  }
  auto& fields = table_->affinity_body_fields;
  const std::string& field = own->body_field->value;
  auto it = std::find(fields.begin(), fields.end(), field);
  if (it == fields.end()) {
    if (fields.size() == kMaxAffinityBodyFields) {
      return ErrorAt(own->body_field->origin,
                     absl::StrCat("too many distinct affinity body fields: at most ",
                                  kMaxAffinityBodyFields, " a table"));
    }
    fields.push_back(table_->strings.Add(field));
    it = fields.end() - 1;
  }
  compiled.affinity_source = AffinitySource::kBodyField;
  compiled.affinity_key = it - fields.begin();
  return absl::OkStatus();
}

absl::Status Compiler::OrderRoutes() {
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

absl::Status Compiler::CompileRoute(uint32_t route_id) {
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
  if (route.session_affinity.has_value()) {
    if (auto status = CheckAffinity(*route.session_affinity, "sessionAffinity"); !status.ok()) {
      return status;
    }
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

absl::Status Compiler::CompileRule(uint32_t route_id, const Route& route, uint32_t rule_index) {
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
    // The rule's one implicit match counts like a written one.
    if (table_->matches.size() >= kMaxMatchesPerTable) {
      return ErrorAt(rule.origin, TooManyMatchesInTheTable());
    }
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
  if (auto status = CompileAffinity(route, rule, table_->rules[rule_id]); !status.ok()) {
    return status;
  }
  return CompileBackendRefs(route, rule, table_->rules[rule_id]);
}

void Compiler::AddMatch(const CompiledMatch& match, const PrecedenceKey& key) {
  table_->matches.push_back(match);
  precedence_.push_back(key);
}

absl::Status Compiler::CompileMatch(uint32_t route_id, uint32_t rule_id, uint32_t match_index,
                                    const RouteMatch& config_match) {
  if (table_->matches.size() >= kMaxMatchesPerTable) {
    return ErrorAt(config_match.origin, TooManyMatchesInTheTable());
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

absl::StatusOr<Range> Compiler::CompileConditions(const std::vector<ValueMatch>& items, bool is_header,
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

}  // namespace internal

absl::StatusOr<std::shared_ptr<const RoutingTable>> Compile(const Config& config,
                                                            const CompileOptions& options) {
  auto compiled = internal::Compiler(config, options).Run();
  if (!compiled.ok()) return compiled.status();
  (*compiled)->warnings.insert((*compiled)->warnings.begin(), config.warnings.begin(),
                               config.warnings.end());
  return std::shared_ptr<const RoutingTable>(new RoutingTable(std::move(*compiled)));
}

}  // namespace llmroute
