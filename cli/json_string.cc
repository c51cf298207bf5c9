#include "json_string.h"

#include <cstddef>
#include <cstdint>

#include "text/hex.h"
#include "text/utf8.h"

namespace llmroute::cli {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte >= 0x80) {
      const std::size_t length = internal::Utf8SequenceLength(text.substr(i));
      if (length == 0) {
        out += kReplacementCharacter;
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte < 0x20) {
      out += "\\u00";
      out += internal::kLowerHexDigits[byte >> 4];
      out += internal::kLowerHexDigits[byte & 0xF];
    } else {
      out += static_cast<char>(byte);
    }
    ++i;
  }
  out += '"';
}

}  // namespace llmroute::cli
