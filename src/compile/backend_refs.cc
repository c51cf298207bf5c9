// Compile: the backends (declared and referenced) and each rule's backendRefs: weights,
// priorities, model overrides, mutations.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "compile/compiled_table.h"
#include "compile/compiler.h"
#include "diagnostic_status.h"
#include "health/name_registry.h"
#include "match/conditions.h"
#include "select/affinity.h"
#include "simdjson.h"
#include "text/http_text.h"

namespace llmroute::internal {
namespace {

// Why `text` is not one JSON value ("" when it is one).
std::string JsonValueError(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  const simdjson::padded_string padded(text);
  const simdjson::error_code error = parser.parse(padded).get(element);
  return error == simdjson::SUCCESS ? std::string() : std::string(simdjson::error_message(error));
}

}  // namespace

uint32_t Compiler::BackendId(std::string_view namespace_, std::string_view name) {
  auto [it, inserted] = backend_ids_.try_emplace(FullName(namespace_, name), table_->backends.size());
  if (inserted) {
    table_->backends.push_back(
        {table_->strings.Add(namespace_), table_->strings.Add(name)});
    table_->backend_kinds.push_back(BackendRefKind::kBackend);
    backend_kind_origins_.emplace_back();
    health_names_.push_back(InternHealthName(namespace_, name));
  }
  return it->second;
}

std::string_view Compiler::RefNamespace(const Route& route, const BackendRef& ref) {
  return ref.namespace_.has_value() ? std::string_view(ref.namespace_->value)
                                    : std::string_view(route.namespace_);
}

absl::Status Compiler::CollectBackends() {
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

absl::StatusOr<const BackendMutations*> Compiler::CompileMutations(const BackendRef& ref) {
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

absl::Status Compiler::CheckMutationHeaderName(const LocatedString& name,
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

absl::Status Compiler::CheckMutationBodyField(const LocatedString& field,
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

absl::Status Compiler::CompileBackendRefs(const Route& route, const Rule& rule, CompiledRule& compiled) {
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

  // Every tier's entries, for affinity and health.
  compiled.entries.begin = table_->rule_entries.size();
  compiled.tiers.begin = table_->tier_ends.size();
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    const Ref& ref = resolved[i];
    if (i > 0 && ref.priority != resolved[i - 1].priority) {
      table_->tier_ends.push_back(table_->rule_entries.size());
    }
    RuleEntry entry;
    entry.backend = table_->backends[ref.backend];
    entry.weight = static_cast<uint64_t>(ref.weight);
    std::string identity = FullName(entry.backend.namespace_, entry.backend.name);
    if (ref.config->model_name_override.has_value()) {
      entry.has_model_override = true;
      entry.model_override = table_->strings.Add(*ref.config->model_name_override);
      absl::StrAppend(&identity, "#", *ref.config->model_name_override);
    }
    entry.name_hash = Fnv1a64(identity);
    entry.health_name = health_names_[ref.backend];
    entry.kind = ref.config->kind;
    entry.mutations = ref.mutations;
    table_->rule_entries.push_back(entry);
  }
  table_->tier_ends.push_back(table_->rule_entries.size());
  compiled.entries.end = table_->rule_entries.size();
  compiled.tiers.end = table_->tier_ends.size();

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

}  // namespace llmroute::internal
