// What a proxy sets upstream from a decision.
#include "llmroute/decision.h"

namespace llmroute {

std::optional<std::string_view> UpstreamModel(const Decision& decision) {
  if (decision.model_override.has_value()) return decision.model_override;
  return decision.model;
}

}  // namespace llmroute
