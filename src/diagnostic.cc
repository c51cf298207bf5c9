#include "llmroute/diagnostic.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "text/views.h"

namespace llmroute {
namespace {

// Length of the valid UTF-8 sequence starting at `s[i]`, or 0 when it is not one.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t lead = byte(i);
  std::size_t length;
  uint32_t code_point;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  const bool overlong = (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  return overlong || surrogate || code_point > 0x10FFFF ? 0 : length;
}

// A diagnostic is one line of text: values quoted from the config (or a parser's message)
// may hold control bytes or invalid UTF-8, which are written as escapes instead.
void AppendPrintable(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size();) {
    const uint8_t c = static_cast<uint8_t>(text[i]);
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 1 && c >= 0x20 && c != 0x7F) {
      out += text[i];
    } else if (length > 1) {
      out.append(text.data() + i, length);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
    i += length == 0 ? 1 : length;
  }
}

}  // namespace

std::string Diagnostic::ToString() const {
  std::string location;
  if (!where.file.empty()) absl::StrAppend(&location, where.file, ":");
  if (where.line > 0) {
    absl::StrAppend(&location, where.line, ":");
    if (where.column > 0) absl::StrAppend(&location, where.column, ":");
  }
  if (!location.empty()) location += ' ';
  location += severity == Severity::kError ? "error: " : "warning: ";
  if (!where.field.empty()) absl::StrAppend(&location, where.field, ": ");
  std::string out;
  AppendPrintable(location, out);
  AppendPrintable(message, out);
  return out;
}

}  // namespace llmroute
