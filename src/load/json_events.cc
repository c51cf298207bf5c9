#include "load/json_events.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "text/hex.h"
#include "text/utf8.h"
#include "yaml-cpp/anchor.h"
#include "yaml-cpp/emitterstyle.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/mark.h"

namespace llmroute::load_internal {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// yaml-cpp's tags for a quoted and a plain scalar (its handler takes std::string).
const std::string& QuotedTag() {
  static const std::string* const tag = new std::string("!");
  return *tag;
}
const std::string& PlainTag() {
  static const std::string* const tag = new std::string("?");
  return *tag;
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }


// Thrown inside the reader to unwind to ReadJsonEvents; never leaves this file.
struct SyntaxErrorFound {};

class JsonEventReader {
 public:
  JsonEventReader(std::string_view text, YAML::EventHandler& handler)
      : text_(text), handler_(handler) {}

  std::optional<JsonSyntaxError> Read() {
    try {
      ReadDocument();
    } catch (const SyntaxErrorFound&) {
      return std::move(error_);
    }
    return std::nullopt;
  }

 private:
  // What may come next, inside the innermost open collection.
  enum class Expect {
    kValue,
    kValueOrArrayEnd,  // just after `[`
    kKeyOrObjectEnd,   // just after `{`
    kKey,              // after `,` in an object
    kColon,
    kCommaOrEnd,  // after a value
  };

  void ReadDocument() {
    if (text_.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
      pos_ = kByteOrderMark.size();
      line_start_ = pos_;
    }
    SkipWhitespace();
    handler_.OnDocumentStart(Here());
    std::vector<char> open;  // `{` or `[` of each open collection
    Expect expect = Expect::kValue;
    while (true) {
      SkipWhitespace();
      if (expect == Expect::kCommaOrEnd) {
        if (open.empty()) break;
        const char close = open.back() == '{' ? '}' : ']';
        if (Consume(',')) {
          expect = open.back() == '{' ? Expect::kKey : Expect::kValue;
        } else if (Consume(close)) {
          open.pop_back();
          EndCollection(close);
        } else {
          Fail(absl::StrCat("expected ',' or '", absl::string_view(&close, 1), "'"));
        }
        continue;
      }
      if (expect == Expect::kValueOrArrayEnd && Consume(']')) {
        open.pop_back();
        EndCollection(']');
        expect = Expect::kCommaOrEnd;
        continue;
      }
      if (expect == Expect::kKeyOrObjectEnd && Consume('}')) {
        open.pop_back();
        EndCollection('}');
        expect = Expect::kCommaOrEnd;
        continue;
      }
      if (expect == Expect::kKeyOrObjectEnd || expect == Expect::kKey) {
        if (Peek() != '"') Fail("expected a string key in double quotes");
        const YAML::Mark mark = Here();
        const std::string key = ReadString();
        handler_.OnScalar(mark, QuotedTag(), YAML::NullAnchor, key);
        expect = Expect::kColon;
        continue;
      }
      if (expect == Expect::kColon) {
        if (!Consume(':')) Fail("expected ':' after the key");
        expect = Expect::kValue;
        continue;
      }
      // A value.
      const YAML::Mark mark = Here();
      const char c = Peek();
      if (c == '{' || c == '[') {
        if (open.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
          Fail("values are nested too deeply");
        }
        ++pos_;
        open.push_back(c);
        if (c == '{') {
          handler_.OnMapStart(mark, PlainTag(), YAML::NullAnchor, YAML::EmitterStyle::Flow);
          expect = Expect::kKeyOrObjectEnd;
        } else {
          handler_.OnSequenceStart(mark, PlainTag(), YAML::NullAnchor, YAML::EmitterStyle::Flow);
          expect = Expect::kValueOrArrayEnd;
        }
        continue;
      }
      if (c == '"') {
        const std::string value = ReadString();
        handler_.OnScalar(mark, QuotedTag(), YAML::NullAnchor, value);
      } else if (ConsumeWord("null")) {
        handler_.OnNull(mark, YAML::NullAnchor);
      } else if (ConsumeWord("true")) {
        handler_.OnScalar(mark, PlainTag(), YAML::NullAnchor, "true");
      } else if (ConsumeWord("false")) {
        handler_.OnScalar(mark, PlainTag(), YAML::NullAnchor, "false");
      } else if (c == '-' || IsDigit(c)) {
        handler_.OnScalar(mark, PlainTag(), YAML::NullAnchor, std::string(ReadNumber()));
      } else {
        Fail("expected a JSON value");
      }
      expect = Expect::kCommaOrEnd;
    }
    SkipWhitespace();
    if (pos_ < text_.size()) Fail("unexpected text after the JSON value");
    handler_.OnDocumentEnd();
  }

  void EndCollection(char close) {
    if (close == '}') {
      handler_.OnMapEnd();
    } else {
      handler_.OnSequenceEnd();
    }
  }

  [[noreturn]] void Fail(std::string message) {
    error_ = JsonSyntaxError{static_cast<int64_t>(pos_), line_,
                             static_cast<int>(pos_ - line_start_), std::move(message)};
    throw SyntaxErrorFound{};
  }

  YAML::Mark Here() const {
    YAML::Mark mark;
    mark.pos = static_cast<int>(pos_);
    mark.line = line_;
    mark.column = static_cast<int>(pos_ - line_start_);
    return mark;
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // JSON whitespace; the only place a newline can be outside a string.
  void SkipWhitespace() {
    while (pos_ < text_.size() && IsJsonWhitespace(text_[pos_])) {
      if (text_[pos_] == '\n') {
        ++line_;
        line_start_ = pos_ + 1;
      }
      ++pos_;
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, returned as written.
  std::string_view ReadNumber() {
    const std::size_t start = pos_;
    Consume('-');
    if (Consume('0')) {
      if (IsDigit(Peek())) Fail("a number may not have leading zeros");
    } else if (IsDigit(Peek())) {
      while (IsDigit(Peek())) ++pos_;
    } else {
      Fail("expected a digit");
    }
    if (Consume('.')) {
      if (!IsDigit(Peek())) Fail("expected a digit after the decimal point");
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (!Consume('+')) Consume('-');
      if (!IsDigit(Peek())) Fail("expected a digit in the exponent");
      while (IsDigit(Peek())) ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  uint32_t ReadHex4() {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = internal::HexDigitValue(Peek());
      if (digit < 0) Fail("expected four hexadecimal digits after \\u");
      value = value * 16 + static_cast<uint32_t>(digit);
      ++pos_;
    }
    return value;
  }

  // A string at `"`, its escapes decoded; other bytes are kept as written.
  std::string ReadString() {
    ++pos_;  // the opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) Fail("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) Fail("control character in a string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      const char escape = Peek();
      ++pos_;
      switch (escape) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t code_point = ReadHex4();
          if (internal::IsLowSurrogate(code_point)) Fail("lone low surrogate in \\u");
          if (internal::IsHighSurrogate(code_point)) {
            if (!ConsumeWord("\\u")) Fail("lone high surrogate in \\u");
            const uint32_t low = ReadHex4();
            if (!internal::IsLowSurrogate(low)) Fail("lone high surrogate in \\u");
            code_point = internal::CodePointOfSurrogates(code_point, low);
          }
          char utf8[4];
          out.append(utf8, internal::WriteUtf8(code_point, utf8));
          break;
        }
        default:
          --pos_;
          Fail("invalid escape in a string");
      }
    }
  }

  const std::string_view text_;
  YAML::EventHandler& handler_;
  std::size_t pos_ = 0;
  int line_ = 0;
  std::size_t line_start_ = 0;
  std::optional<JsonSyntaxError> error_;
};

}  // namespace

bool LooksLikeJson(std::string_view text) {
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    text.remove_prefix(kByteOrderMark.size());
  }
  for (char c : text) {
    if (IsJsonWhitespace(c)) continue;
    return c == '{' || c == '[';
  }
  return false;
}

std::optional<JsonSyntaxError> ReadJsonEvents(std::string_view text, YAML::EventHandler& handler) {
  return JsonEventReader(text, handler).Read();
}

}  // namespace llmroute::load_internal
