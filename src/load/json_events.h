// A small streaming JSON reader that reports what it reads as yaml-cpp parser events, so
// JSON input builds the same typed tree as YAML (load/yaml_document.h) without going
// through yaml-cpp. yaml-cpp reads a whole flow collection ahead before reporting its
// first value, at some thirty bytes of memory per byte of text; a 10 MB `kubectl get -o
// json` List is one flow collection.
#ifndef LLMROUTE_LOAD_JSON_EVENTS_H_
#define LLMROUTE_LOAD_JSON_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "yaml-cpp/eventhandler.h"

namespace llmroute::load_internal {

// Values nested deeper than this are an error (the YAML reader has a similar bound).
inline constexpr int kMaxJsonDepth = 1000;

// Whether `text` starts (after a byte order mark and whitespace) like a JSON object or
// array, and so should be read as JSON first.
bool LooksLikeJson(std::string_view text);

struct JsonSyntaxError {
  int64_t pos = 0;  // byte offset
  int line = 0;     // 0-based, like yaml-cpp's marks
  int column = 0;
  std::string message;
};

// Reads `text` as one JSON value (RFC 8259) and reports it to `handler` as one document:
// strings as quoted scalars (tag "!"), numbers, `true` and `false` as plain scalars (tag
// "?"), `null` as OnNull. Returns the first syntax error; the events before it have been
// reported. Exceptions thrown by `handler` pass through.
std::optional<JsonSyntaxError> ReadJsonEvents(std::string_view text, YAML::EventHandler& handler);

}  // namespace llmroute::load_internal

#endif  // LLMROUTE_LOAD_JSON_EVENTS_H_
