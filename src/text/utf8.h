// UTF-8 well-formedness, as RFC 3629 and Unicode's table 3-7 define it: no overlong forms,
// no UTF-16 surrogates, nothing above U+10FFFF.
#ifndef LLMROUTE_TEXT_UTF8_H_
#define LLMROUTE_TEXT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmroute::internal {

// The length (1 to 4) of the well-formed UTF-8 sequence that starts `text`, or 0 when
// `text` is empty or does not start with one.
std::size_t Utf8SequenceLength(std::string_view text);

// UTF-16 surrogates, as JSON's \uXXXX escapes write characters above U+FFFF: a high one
// followed by a low one is one code point; either alone is no character.
inline bool IsHighSurrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
inline bool IsLowSurrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }
inline uint32_t CodePointOfSurrogates(uint32_t high, uint32_t low) {
  return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
}

// Writes the UTF-8 encoding (1 to 4 bytes) of `code_point`, a Unicode scalar value, at
// `out`; returns the end of what it wrote.
inline char* WriteUtf8(uint32_t code_point, char* out) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xC0 | (code_point >> 6));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (code_point >> 12));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (code_point >> 18));
    *out++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

}  // namespace llmroute::internal

#endif  // LLMROUTE_TEXT_UTF8_H_
