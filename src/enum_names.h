// The one table of spellings for each enum a config, the CLI or a binding names; the
// public *Name and *FromName functions (enum_names.cc) and the loader read these.
#ifndef LLMROUTE_ENUM_NAMES_H_
#define LLMROUTE_ENUM_NAMES_H_

#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "llmroute/config.h"
#include "llmroute/names.h"

namespace llmroute::internal {

template <typename T>
using EnumNames = std::span<const std::pair<std::string_view, T>>;

inline constexpr std::pair<std::string_view, MatchType> kMatchTypeNames[] = {
    {"Exact", MatchType::kExact},
    {"PathPrefix", MatchType::kPathPrefix},
    {"RegularExpression", MatchType::kRegularExpression},
};

inline constexpr std::pair<std::string_view, AllowedBackends> kAllowedBackendsNames[] = {
    {"RulesOnly", AllowedBackends::kRulesOnly},
    {"SameNamespace", AllowedBackends::kSameNamespace},
    {"Explicit", AllowedBackends::kExplicit},
};

inline constexpr std::pair<std::string_view, OnDisallowed> kOnDisallowedNames[] = {
    {"Reject", OnDisallowed::kReject},
    {"UseRules", OnDisallowed::kUseRules},
};

template <typename T>
std::string_view NameIn(EnumNames<T> names, T value) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return "";
}

template <typename T>
std::optional<T> ValueIn(EnumNames<T> names, std::string_view name) {
  for (const auto& [n, value] : names) {
    if (n == name) return value;
  }
  return std::nullopt;
}

}  // namespace llmroute::internal

#endif  // LLMROUTE_ENUM_NAMES_H_
