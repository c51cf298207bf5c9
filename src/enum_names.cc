#include "enum_names.h"

#include "llmroute/config.h"
#include "llmroute/decision.h"

namespace llmroute {

std::string_view StatusName(DecisionStatus status) {
  switch (status) {
    case DecisionStatus::kRouted: return "routed";
    case DecisionStatus::kNoRoute: return "no_route";
    case DecisionStatus::kBackendNotAllowed: return "backend_not_allowed";
    case DecisionStatus::kBadRequest: return "bad_request";
    case DecisionStatus::kNoBackend: return "no_backend";
  }
  return "unknown";
}

int HttpStatusOf(DecisionStatus status) {
  switch (status) {
    case DecisionStatus::kRouted: return 200;
    case DecisionStatus::kNoRoute: return 404;
    case DecisionStatus::kBackendNotAllowed: return 400;
    case DecisionStatus::kBadRequest: return 400;
    case DecisionStatus::kNoBackend: return 500;
  }
  return 500;
}

std::string_view BackendRefKindName(BackendRefKind kind) {
  switch (kind) {
    case BackendRefKind::kBackend: return "Backend";
    case BackendRefKind::kInferencePool: return "InferencePool";
  }
  return "unknown";
}

std::string_view MatchTypeName(MatchType type) {
  return internal::NameIn<MatchType>(internal::kMatchTypeNames, type);
}

std::string_view AllowedBackendsName(AllowedBackends policy) {
  return internal::NameIn<AllowedBackends>(internal::kAllowedBackendsNames, policy);
}

std::optional<AllowedBackends> AllowedBackendsFromName(std::string_view name) {
  return internal::ValueIn<AllowedBackends>(internal::kAllowedBackendsNames, name);
}

std::string_view OnDisallowedName(OnDisallowed action) {
  return internal::NameIn<OnDisallowed>(internal::kOnDisallowedNames, action);
}

std::optional<OnDisallowed> OnDisallowedFromName(std::string_view name) {
  return internal::ValueIn<OnDisallowed>(internal::kOnDisallowedNames, name);
}

std::string_view ViaName(Via via) {
  switch (via) {
    case Via::kRule: return "rule";
    case Via::kStandardHeader: return "standard_header";
    case Via::kNone: return "";
  }
  return "";
}

}  // namespace llmroute
