// libFuzzer harness for internal::ExtractModel.
//
// Input: one control byte, then the body. The control byte picks the padding content; the
// body is extracted twice, in place from an exactly sized padded allocation and through the
// copying path from an exactly sized unpadded one (so AddressSanitizer sees any read past
// what the caller owns). Checked:
//   - both paths give the same status, model and reason (see below for one exception);
//   - an unescaped model is a view inside the body;
//   - against a full simdjson DOM parse: when the DOM accepts an object, ExtractModel agrees
//     on "no model", "this model" or "duplicated model"; what ExtractModel accepts, the DOM
//     accepts (but for out-of-range numbers and lone surrogates outside the model).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "body/model_extractor.h"
#include "llmroute/request.h"
#include "simdjson.h"

namespace {

using llmroute::internal::BodyModel;
using llmroute::internal::ExtractModel;

#define CHECK_OR_ABORT(condition)                                               \
  do {                                                                          \
    if (!(condition)) {                                                         \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                             \
    }                                                                           \
  } while (false)

// What a DOM parse says the body holds, when it accepts the body as an object.
void CheckAgainstDom(std::string_view body, const BodyModel& result) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const simdjson::error_code dom_error = parser.parse(body.data(), body.size(), true).get(doc);
  if (dom_error) {
    // What ExtractModel accepts, the DOM accepts too, but for numbers out of its range and
    // lone surrogates outside the model (valid JSON, which the DOM refuses to decode).
    if (result.status != BodyModel::Status::kBadBody) {
      const bool surrogate_escape = body.find("\\ud") != std::string_view::npos ||
                                    body.find("\\uD") != std::string_view::npos;
      CHECK_OR_ABORT(dom_error == simdjson::NUMBER_ERROR ||
                     (dom_error == simdjson::STRING_ERROR && surrogate_escape));
    }
    return;
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    CHECK_OR_ABORT(result.status == BodyModel::Status::kBadBody);
    return;
  }
  int model_keys = 0;
  simdjson::dom::element model;
  for (simdjson::dom::key_value_pair member : object) {
    if (member.key == "model") {
      ++model_keys;
      model = member.value;
    }
  }
  if (model_keys > 1) {
    CHECK_OR_ABORT(result.status == BodyModel::Status::kBadBody);
    return;
  }
  std::string_view model_string;
  if (model_keys == 0 || model.get_string().get(model_string)) {
    CHECK_OR_ABORT(result.status == BodyModel::Status::kNoModel);
    return;
  }
  // The DOM lets a lone low surrogate through as bytes that are not UTF-8.
  if (!simdjson::validate_utf8(model_string.data(), model_string.size())) {
    CHECK_OR_ABORT(result.status == BodyModel::Status::kBadBody);
    return;
  }
  CHECK_OR_ABORT(result.status == BodyModel::Status::kModel);
  CHECK_OR_ABORT(result.model == model_string);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char padding_fill = static_cast<char>(data[0]);
  const std::size_t body_size = size - 1;

  // new[] of the exact size, so that ASan flags any byte read beyond.
  std::unique_ptr<char[]> padded(new char[body_size + llmroute::kBodyPaddingBytes]);
  std::memcpy(padded.get(), data + 1, body_size);
  std::memset(padded.get() + body_size, padding_fill, llmroute::kBodyPaddingBytes);
  const std::string_view padded_body(padded.get(), body_size);
  const BodyModel in_place = ExtractModel(padded_body, llmroute::kBodyPaddingBytes);
  // Copied out: an escaped model lives in a buffer the next call overwrites.
  const BodyModel::Status in_place_status = in_place.status;
  const std::string in_place_model(in_place.model);
  const std::string_view in_place_reason = in_place.reason;
  if (in_place.status == BodyModel::Status::kModel &&
      padded_body.find('\\') == std::string_view::npos) {
    // No escape anywhere, so the model must be a view of the caller's bytes.
    CHECK_OR_ABORT(in_place.model.empty() || (in_place.model.data() >= padded_body.data() &&
                                     in_place.model.data() + in_place.model.size() <=
                                         padded_body.data() + padded_body.size()));
  }

  std::unique_ptr<char[]> unpadded(new char[body_size == 0 ? 1 : body_size]);
  std::memcpy(unpadded.get(), data + 1, body_size);
  const std::string_view unpadded_body(unpadded.get(), body_size);
  const BodyModel copied = ExtractModel(unpadded_body, 0);
  CHECK_OR_ABORT(copied.status == in_place_status);
  CHECK_OR_ABORT(copied.model == in_place_model);
  // The reason does not depend on the padding's content either.
  CHECK_OR_ABORT(copied.reason == in_place_reason);
  CHECK_OR_ABORT((copied.status == BodyModel::Status::kBadBody) == !copied.reason.empty());

  CheckAgainstDom(unpadded_body, copied);
  return 0;
}
