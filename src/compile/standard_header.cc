// Compile: each route's standard routing header, its allowlist and refusal messages; the
// request headers the gateway owns.
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
#include "match/conditions.h"
#include "simdjson.h"
#include "text/http_text.h"

namespace llmroute::internal {

absl::Status Compiler::CompileStandardHeader(uint32_t route_id) {
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

void Compiler::CollectOwnedHeaders() {
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
  for (const std::string& name : affinity_headers_) add(name);
}

}  // namespace llmroute::internal
