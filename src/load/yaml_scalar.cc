#include "load/yaml_scalar.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "text/hex.h"

namespace llmroute::load_internal {
namespace {

constexpr std::array<std::string_view, 5> kNullWords = {"", "~", "null", "Null", "NULL"};
constexpr std::array<std::string_view, 11> kTrueWords = {
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
constexpr std::array<std::string_view, 11> kFalseWords = {
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};

template <std::size_t N>
bool IsOneOf(std::string_view text, const std::array<std::string_view, N>& words) {
  for (std::string_view word : words) {
    if (text == word) return true;
  }
  return false;
}

bool IsDecimalDigit(char c) { return c >= '0' && c <= '9'; }


std::string_view StripSign(std::string_view text, bool* negative) {
  *negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    *negative = text.front() == '-';
    text.remove_prefix(1);
  }
  return text;
}

// Splits an unsigned integer literal into its base and digits (which may contain `_`);
// base 0 when `text` is not an integer literal.
int IntegerBase(std::string_view text, std::string_view* digits) {
  if (text.empty()) return 0;
  int base = 10;
  std::string_view rest = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    rest = text.substr(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    base = 8;
    rest = text.substr(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    rest = text.substr(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;  // YAML 1.1: a leading 0 means octal
    rest = text.substr(1);
  } else if (!IsDecimalDigit(text[0])) {
    return 0;
  }
  bool any_digit = false;
  for (char c : rest) {
    if (c == '_') continue;
    const int value = internal::HexDigitValue(c);
    if (value < 0 || value >= base) return 0;
    any_digit = true;
  }
  if (!any_digit) return 0;
  *digits = rest;
  return base;
}

bool IsInteger(std::string_view text) {
  bool negative;
  std::string_view digits;
  return IntegerBase(StripSign(text, &negative), &digits) != 0;
}

// [-+]?(\.[0-9][0-9_]*|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)? and the YAML special
// values; integers are checked first, so this also accepts them.
bool IsFloat(std::string_view text) {
  bool negative;
  std::string_view body = StripSign(text, &negative);
  if (body == ".inf" || body == ".Inf" || body == ".INF") return true;
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return true;
  std::size_t i = 0;
  auto digits = [&](bool allow_underscore) {
    const std::size_t start = i;
    while (i < body.size() && (IsDecimalDigit(body[i]) || (allow_underscore && body[i] == '_'))) {
      ++i;
    }
    return i - start;
  };
  if (i < body.size() && body[i] == '.') {
    ++i;
    if (i >= body.size() || !IsDecimalDigit(body[i])) return false;
    digits(true);
  } else {
    if (i >= body.size() || !IsDecimalDigit(body[i])) return false;
    digits(true);
    if (i < body.size() && body[i] == '.') {
      ++i;
      digits(true);
    }
  }
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    if (digits(false) == 0) return false;
  }
  return i == body.size();
}

}  // namespace

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kInt:
      return "integer";
    case ValueKind::kFloat:
      return "float";
    case ValueKind::kString:
      return "string";
    case ValueKind::kMapping:
      return "mapping";
    case ValueKind::kList:
      return "list";
  }
  return "value";
}

ValueKind ResolvePlainScalar(std::string_view text) {
  if (IsOneOf(text, kNullWords)) return ValueKind::kNull;
  if (IsOneOf(text, kTrueWords) || IsOneOf(text, kFalseWords)) return ValueKind::kBool;
  if (IsInteger(text)) return ValueKind::kInt;
  if (IsFloat(text)) return ValueKind::kFloat;
  return ValueKind::kString;
}

std::optional<bool> ParseYamlBool(std::string_view text) {
  if (IsOneOf(text, kTrueWords)) return true;
  if (IsOneOf(text, kFalseWords)) return false;
  return std::nullopt;
}

std::optional<int64_t> ParseYamlInt(std::string_view text) {
  bool negative;
  std::string_view digits;
  const int base = IntegerBase(StripSign(text, &negative), &digits);
  if (base == 0) return std::nullopt;
  // Accumulate the magnitude; int64's minimum has one more unit than its maximum.
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  uint64_t magnitude = 0;
  for (char c : digits) {
    if (c == '_') continue;
    const uint64_t digit = static_cast<uint64_t>(internal::HexDigitValue(c));
    if (magnitude > (limit - digit) / static_cast<uint64_t>(base)) return std::nullopt;
    magnitude = magnitude * static_cast<uint64_t>(base) + digit;
  }
  if (!negative) return static_cast<int64_t>(magnitude);
  if (magnitude == limit) return std::numeric_limits<int64_t>::min();
  return -static_cast<int64_t>(magnitude);
}

}  // namespace llmroute::load_internal
