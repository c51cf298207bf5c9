// The spellings of the standard header's policies as configs, the CLI and the bindings
// write them: AllowedBackends "RulesOnly", "SameNamespace", "Explicit"; OnDisallowed
// "Reject", "UseRules". (MatchTypeName is declared with MatchType in llmroute/config.h.)
// The returned views point to static storage. The *FromName functions compare
// case-sensitively and return nullopt for any other name. Pure functions: safe from any
// thread.
#ifndef LLMROUTE_NAMES_H_
#define LLMROUTE_NAMES_H_

#include <optional>
#include <string_view>

#include "llmroute/config.h"

namespace llmroute {

std::string_view AllowedBackendsName(AllowedBackends policy);
std::optional<AllowedBackends> AllowedBackendsFromName(std::string_view name);
std::string_view OnDisallowedName(OnDisallowed action);
std::optional<OnDisallowed> OnDisallowedFromName(std::string_view name);

}  // namespace llmroute

#endif  // LLMROUTE_NAMES_H_
