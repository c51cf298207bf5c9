// Placeholder until the simdjson implementation lands: every body is refused.
#include "body/model_extractor.h"

namespace llmroute::internal {

BodyModel ExtractModel(std::string_view, std::size_t) {
  return {BodyModel::Status::kBadBody, {}, "request bodies are not supported yet"};
}

}  // namespace llmroute::internal
