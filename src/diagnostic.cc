#include "llmroute/diagnostic.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/types/optional.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "diagnostic_status.h"
#include "text/hex.h"
#include "text/utf8.h"
#include "text/views.h"

namespace llmroute {
namespace {

// A diagnostic is one line of text: values quoted from the config (or a parser's message)
// may hold control bytes or invalid UTF-8, which are written as escapes instead.
void AppendPrintable(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size();) {
    const uint8_t c = static_cast<uint8_t>(text[i]);
    const std::size_t length = internal::Utf8SequenceLength(text.substr(i));
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
      out += "\\x";
      out += internal::kLowerHexDigits[c >> 4];
      out += internal::kLowerHexDigits[c & 0xF];
    }
    i += length == 0 ? 1 : length;
  }
}

// The payload of a diagnostic's status: "severity line column file_size field_size
// message_size\n" in decimal, then the file, the field and the message, as they are.
constexpr std::string_view kPayloadUrl = "type.llmroute/llmroute.Diagnostic";

std::string Serialize(const Diagnostic& d) {
  return absl::StrCat(static_cast<int>(d.severity), " ", d.where.line, " ", d.where.column, " ",
                      d.where.file.size(), " ", d.where.field.size(), " ", d.message.size(), "\n",
                      d.where.file, d.where.field, d.message);
}

std::optional<Diagnostic> Parse(std::string_view text) {
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  const std::vector<absl::string_view> numbers =
      absl::StrSplit(absl::string_view(text.data(), newline), ' ');
  if (numbers.size() != 6) return std::nullopt;
  int severity = 0;
  Diagnostic d;
  std::size_t file_size = 0, field_size = 0, message_size = 0;
  if (!absl::SimpleAtoi(numbers[0], &severity) || !absl::SimpleAtoi(numbers[1], &d.where.line) ||
      !absl::SimpleAtoi(numbers[2], &d.where.column) || !absl::SimpleAtoi(numbers[3], &file_size) ||
      !absl::SimpleAtoi(numbers[4], &field_size) || !absl::SimpleAtoi(numbers[5], &message_size)) {
    return std::nullopt;
  }
  if (severity != static_cast<int>(Severity::kError) && severity != static_cast<int>(Severity::kWarning)) {
    return std::nullopt;
  }
  d.severity = static_cast<Severity>(severity);
  text.remove_prefix(newline + 1);
  if (file_size > text.size() || field_size > text.size() - file_size ||
      message_size != text.size() - file_size - field_size) {
    return std::nullopt;
  }
  d.where.file = std::string(text.substr(0, file_size));
  d.where.field = std::string(text.substr(file_size, field_size));
  d.message = std::string(text.substr(file_size + field_size));
  return d;
}

}  // namespace

namespace internal {

absl::Status DiagnosticError(absl::StatusCode code, const Diagnostic& diagnostic) {
  absl::Status status(code, diagnostic.ToString());
  status.SetPayload(AsAbsl(kPayloadUrl), absl::Cord(Serialize(diagnostic)));
  return status;
}

}  // namespace internal

std::optional<Diagnostic> DiagnosticOf(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  const absl::optional<absl::Cord> payload = status.GetPayload(AsAbsl(kPayloadUrl));
  if (!payload.has_value()) return std::nullopt;
  return Parse(std::string(*payload));
}

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
