#include "request_lines.h"

#include <stdio.h>  // getline(3)

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backend_names.h"
#include "json_string.h"
#include "text/views.h"

namespace llmroute::cli {
namespace {

absl::Status LineError(std::string_view message) {
  return absl::InvalidArgumentError(AsAbsl(message));
}

constexpr std::string_view kEntropyError = "entropy must be an integer in [0, 2^64)";

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Whether `token` (a raw JSON value, maybe with whitespace after it) is a number that is
// not a valid entropy: a negative, fractional or exponent form, or an integer >= 2^64.
bool IsNumberButNotEntropy(std::string_view token) {
  const std::size_t end = token.find_last_not_of(" \t\r\n");
  if (end == std::string_view::npos) return false;
  token = token.substr(0, end + 1);
  const char first = token.front();
  if (first != '-' && (first < '0' || first > '9')) return false;  // not a number at all
  uint64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return true;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return true;
    value = value * 10 + digit;
  }
  return false;
}

// A string field that may be null (absent).
absl::Status ReadOptionalString(simdjson::dom::element value, std::string_view field,
                                std::optional<std::string_view>& out) {
  if (value.is_null()) return absl::OkStatus();
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return LineError(absl::StrCat(AsAbsl(field), " must be a string"));
  }
  out = text;
  return absl::OkStatus();
}

absl::Status ReadEntropy(simdjson::dom::element value, std::optional<uint64_t>& out) {
  if (value.is_null()) return absl::OkStatus();
  uint64_t entropy = 0;
  // Only integers qualify: a float, even 1.0, is rejected by the type check, a negative
  // integer by the range check.
  if (value.get_uint64().get(entropy) != simdjson::SUCCESS) return LineError(kEntropyError);
  out = entropy;
  return absl::OkStatus();
}

}  // namespace

LineReader::~LineReader() { std::free(buffer_); }

bool LineReader::Next(std::string_view& line) {
  const ssize_t length = getline(&buffer_, &capacity_, stream_);
  if (length < 0) return false;
  line = std::string_view(buffer_, static_cast<std::size_t>(length));
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return true;
}

absl::Status RequestLineParser::Parse(std::string_view line, Request& request) {
  request = Request();
  headers_.clear();
  down_.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (IsBlank(line)) return LineError("blank line: expected a JSON object");

  // simdjson reads a little past the end of its input: give it zeroed padding.
  line_buffer_.assign(line.data(), line.size());
  line_buffer_.resize(line.size() + simdjson::SIMDJSON_PADDING, '\0');

  simdjson::dom::element root;
  const simdjson::error_code parse_error =
      dom_parser_.parse(line_buffer_.data(), line.size(), /*realloc_if_needed=*/false).get(root);
  if (parse_error != simdjson::SUCCESS) {
    if (parse_error == simdjson::NUMBER_ERROR && EntropyIsTheBadNumber(line.size())) {
      return LineError(kEntropyError);
    }
    if (parse_error == simdjson::UTF8_ERROR) return LineError("not valid UTF-8");
    return LineError(absl::StrCat("not valid JSON: ", simdjson::error_message(parse_error)));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return LineError("not a JSON object");
  }

  std::optional<std::string_view> method, host, path, body;
  std::optional<uint64_t> entropy;
  bool seen_method = false, seen_host = false, seen_path = false, seen_headers = false,
       seen_body = false, seen_entropy = false, seen_down = false;
  // A field given twice is ambiguous (JSON parsers disagree on which one counts): reject.
  const auto first_time = [](bool& seen, std::string_view key) -> absl::Status {
    if (seen) return LineError(absl::StrCat("field \"", AsAbsl(key), "\" given twice"));
    seen = true;
    return absl::OkStatus();
  };
  for (const simdjson::dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    absl::Status status;
    if (key == "method") {
      status = first_time(seen_method, key);
      if (status.ok()) status = ReadOptionalString(field.value, "method", method);
    } else if (key == "host") {
      status = first_time(seen_host, key);
      if (status.ok()) status = ReadOptionalString(field.value, "host", host);
    } else if (key == "path") {
      status = first_time(seen_path, key);
      if (status.ok()) status = ReadOptionalString(field.value, "path", path);
    } else if (key == "body") {
      status = first_time(seen_body, key);
      if (status.ok()) status = ReadOptionalString(field.value, "body", body);
    } else if (key == "entropy") {
      status = first_time(seen_entropy, key);
      if (status.ok()) status = ReadEntropy(field.value, entropy);
    } else if (key == "headers") {
      status = first_time(seen_headers, key);
      if (status.ok()) status = ReadHeaders(field.value);
    } else if (key == "down") {
      status = first_time(seen_down, key);
      if (status.ok()) status = ReadDown(field.value);
    }
    // Other fields are ignored, so request logs with extra fields can be replayed.
    if (!status.ok()) return status;
  }

  if (method.has_value()) request.method = *method;
  if (host.has_value()) request.host = *host;
  if (path.has_value()) request.path = *path;
  request.headers = headers_;
  if (body.has_value()) {
    // Copied with spare bytes after it so that resolve parses the body in place.
    body_buffer_.assign(body->data(), body->size());
    body_buffer_.resize(body->size() + kBodyPaddingBytes, '\0');
    request.body = std::string_view(body_buffer_.data(), body->size());
    request.body_padding = kBodyPaddingBytes;
  }
  request.entropy = entropy;
  return absl::OkStatus();
}

absl::Status RequestLineParser::ReadDown(simdjson::dom::element down) {
  if (down.is_null()) return absl::OkStatus();
  simdjson::dom::array items;
  if (down.get_array().get(items) != simdjson::SUCCESS) {
    return LineError("down must be an array of \"namespace/name\" strings");
  }
  std::size_t index = 0;
  for (const simdjson::dom::element item : items) {
    std::string_view name;
    if (item.get_string().get(name) != simdjson::SUCCESS || !IsNamespacedName(name)) {
      return LineError(absl::StrCat("down[", index, "] must be a \"namespace/name\" string"));
    }
    down_.push_back(name);
    ++index;
  }
  return absl::OkStatus();
}

absl::Status RequestLineParser::ReadHeaders(simdjson::dom::element headers) {
  if (headers.is_null()) return absl::OkStatus();
  simdjson::dom::object as_object;
  if (headers.get_object().get(as_object) == simdjson::SUCCESS) {
    // The DOM keeps a repeated key as it was written, so {"a": "1", "a": "2"} is two
    // headers named "a", in order.
    for (const simdjson::dom::key_value_pair field : as_object) {
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        std::string name;
        AppendJsonString(name, field.key);
        return LineError(absl::StrCat("headers[", name, "] must be a string"));
      }
      headers_.push_back(Header{field.key, value});
    }
    return absl::OkStatus();
  }
  simdjson::dom::array as_array;
  if (headers.get_array().get(as_array) != simdjson::SUCCESS) {
    return LineError("headers must be an object or an array of [name, value] pairs");
  }
  std::size_t index = 0;
  for (const simdjson::dom::element pair : as_array) {
    simdjson::dom::array items;
    std::string_view name, value;
    if (pair.get_array().get(items) != simdjson::SUCCESS || items.size() != 2 ||
        items.at(0).get_string().get(name) != simdjson::SUCCESS ||
        items.at(1).get_string().get(value) != simdjson::SUCCESS) {
      return LineError(
          absl::StrCat("headers[", index, "] must be a [name, value] pair of strings"));
    }
    headers_.push_back(Header{name, value});
    ++index;
  }
  return absl::OkStatus();
}

bool RequestLineParser::EntropyIsTheBadNumber(std::size_t line_size) {
  // On-Demand reads numbers only when asked, so it can walk past the one the DOM parser
  // choked on and show the raw text of `entropy`.
  simdjson::ondemand::document document;
  if (ondemand_parser_.iterate(line_buffer_.data(), line_size, line_buffer_.size()).get(document) !=
      simdjson::SUCCESS) {
    return false;
  }
  simdjson::ondemand::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) return false;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) return false;
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key != "entropy") continue;
    return IsNumberButNotEntropy(field.value().raw_json_token());
  }
  return false;
}

}  // namespace llmroute::cli
