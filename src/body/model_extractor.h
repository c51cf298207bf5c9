// Reads the top-level "model" string of a JSON request body (SPEC §5) with simdjson
// On-Demand, without copying the body when the caller's buffer is padded.
#ifndef LLMROUTE_BODY_MODEL_EXTRACTOR_H_
#define LLMROUTE_BODY_MODEL_EXTRACTOR_H_

#include <cstddef>
#include <string_view>

namespace llmroute::internal {

struct BodyModel {
  enum class Status {
    kModel,    // `model` holds the top-level "model" string
    kNoModel,  // a JSON object without a string "model": no model header at all
    kBadBody,  // not exactly one well-formed JSON object, duplicated model, bad Unicode
  };
  Status status = Status::kNoModel;
  // A view into `body` when the string had no escapes, otherwise into a per-thread buffer
  // overwritten by this thread's next call.
  std::string_view model;
  // kBadBody only: a short static description ("body is not a JSON object", ...).
  std::string_view reason;
};

// `padding`: readable bytes the caller owns after body.end(); with at least
// kBodyPaddingBytes (llmroute/request.h) the body is parsed in place, otherwise copied into
// a per-thread buffer that only grows. Never allocates once the thread has seen a body
// at least this large. Thread-safe (per-thread parser).
BodyModel ExtractModel(std::string_view body, std::size_t padding);

}  // namespace llmroute::internal

#endif  // LLMROUTE_BODY_MODEL_EXTRACTOR_H_
