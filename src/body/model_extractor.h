// Reads the top-level "model" string of a JSON request body (docs/routing.md#body-model)
// with simdjson's stage 1 and a grammar check of its own, without copying the body when the
// caller's buffer is padded.
#ifndef LLMROUTE_BODY_MODEL_EXTRACTOR_H_
#define LLMROUTE_BODY_MODEL_EXTRACTOR_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "llmroute/table.h"

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
  // kBadBody only: a short static description ("body is not a JSON object", ...), the
  // same whether the body was parsed in place or copied, whatever its padding holds.
  std::string_view reason;
};

// The longest body read, and the bad-body reason for a longer one (a static string or one
// owned by the table, alive as long as the decisions that carry it).
struct BodyLimit {
  std::size_t max_bytes = kDefaultMaxBodySize;
  std::string_view too_large_reason = "body is larger than the max body size of 67108864 bytes";
};

// Reads the top-level "model" of `body`, which must be exactly one JSON object.
//
// A body longer than `limit.max_bytes` is kBadBody with `limit.too_large_reason`, before
// anything is parsed, copied or allocated.
//
// `padding`: readable bytes the caller owns after body.end() (any content). With at least
// kBodyPaddingBytes (llmroute/request.h) the body is parsed in place; otherwise it is
// copied. Either way an unescaped model is a view into `body` itself.
//
// Memory: bodies up to kBodyRetainedBytes use a per-thread token index (4 bytes per body
// byte) and copy buffer that grow up to that size and are kept, so nothing is allocated
// once the thread has seen a body at least this large (on the copying path, a copied body
// at least this large). A larger body gets an index and copy of its own, freed before the
// call returns. An escaped model is decoded into a per-thread buffer kept up to
// kBodyRetainedBytes, escaped affinity values into buffers kept up to that much in all; a
// larger one is freed by the thread's next call. So a thread keeps about 7 times
// kBodyRetainedBytes at most (5 times when no model or affinity value had escapes),
// whatever bodies it saw. Thread-safe (per-thread state).
//
// The whole body is checked against the JSON grammar (RFC 8259) without materialising any
// value: UTF-8, no raw control characters in strings, every escape, number, literal, comma,
// colon and bracket, nothing after the object, nesting at most 1024 deep. Only the model
// string must also decode to valid Unicode (other strings may hold lone surrogates).
//
// `fields`: top-level names whose string values are wanted too (session affinity keys),
// read in the same pass. When a member named fields[i] (after decoding, the last of
// repeats) holds a string, field_values[i] is set to it: a view of `body`, or, when it had
// escapes, of a per-thread buffer valid until this thread's next call (a string that does
// not decode is left empty). Other entries are left as they were. Names must be ASCII of
// at most kMaxAffinityBodyFieldBytes bytes.
BodyModel ExtractModel(std::string_view body, std::size_t padding,
                       const BodyLimit& limit = BodyLimit(),
                       std::span<const std::string_view> fields = {},
                       std::string_view* field_values = nullptr);

// What this thread keeps for its next call, in body bytes: the capacity of its token index,
// of its copy buffer and of its decoded-model buffer. For tests of the retention bound.
struct RetainedBodyCapacity {
  std::size_t parser = 0;
  std::size_t copy = 0;
  std::size_t model = 0;
};
RetainedBodyCapacity RetainedBodyCapacityForThisThread();

}  // namespace llmroute::internal

#endif  // LLMROUTE_BODY_MODEL_EXTRACTOR_H_
