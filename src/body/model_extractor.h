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
  // kModel only. A view into `body` when the string had no escapes (valid as long as the
  // body); otherwise the decoded string in a per-thread buffer, valid until this thread's
  // next ExtractModel call.
  std::string_view model;
  // kBadBody only: a short static description ("body is not a JSON object", ...). For a
  // body with unbalanced braces parsed in place, it may depend on the padding's content.
  std::string_view reason;
};

// Reads the top-level "model" of `body`, which must be exactly one JSON object.
//
// `padding`: readable bytes the caller owns after body.end() (any content). With at least
// kBodyPaddingBytes (llmroute/request.h) the body is parsed in place; otherwise it is copied
// into a per-thread buffer that only grows. Either way an unescaped model is a view into
// `body` itself. Nothing is allocated once the thread has seen a body at least this large
// and this deeply nested (on the copying path, a copied body at least this large). Each
// thread keeps about 6 times its largest body (7 if copied) until it exits: simdjson's index
// and string buffers. Thread-safe (per-thread parser and buffers).
//
// The whole body is checked against the JSON grammar (RFC 8259) without materialising any
// value: UTF-8, no raw control characters in strings, every escape, number, literal, comma,
// colon and bracket, nothing after the object, nesting at most 1024 deep. Only the model
// string must also decode to valid Unicode (other strings may hold lone surrogates).
BodyModel ExtractModel(std::string_view body, std::size_t padding);

}  // namespace llmroute::internal

#endif  // LLMROUTE_BODY_MODEL_EXTRACTOR_H_
