// The next try of a request that failed: a pure function of the decision.
#include <algorithm>
#include <cstdint>

#include "llmroute/decision.h"

namespace llmroute {

const Fallback* NextAttempt(const Decision& decision, uint32_t attempts_made, int last_status) {
  const RetryPolicy* retry = decision.retry;
  if (retry == nullptr || attempts_made == 0 || attempts_made > retry->attempts) return nullptr;
  if (last_status != 0 &&
      std::find(retry->codes.begin(), retry->codes.end(), last_status) == retry->codes.end()) {
    return nullptr;
  }
  if (attempts_made > decision.fallbacks.size()) return nullptr;
  return &decision.fallbacks[attempts_made - 1];
}

}  // namespace llmroute
