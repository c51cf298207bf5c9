// Small text rules of HTTP shared by compile and resolve: tokens, optional whitespace,
// ASCII case folding, percent-decoding and hostnames.
#ifndef LLMROUTE_TEXT_HTTP_TEXT_H_
#define LLMROUTE_TEXT_HTTP_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace llmroute::internal {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Whether `text` with the bits of `bits` set equals `expected` (all three of its size):
// with 0x20 under the letters of a lower-case name, the name compared with ASCII letters in
// either case. Compares eight bytes at a time (four for 4 to 7 bytes), the last word
// overlapping the one before.
inline bool EqualsWithBitsSet(std::string_view text, const char* bits, std::string_view expected) {
  const std::size_t size = text.size();
  const auto word_at = [](const char* p) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    return word;
  };
  const auto half_word_at = [](const char* p) {
    uint32_t word;
    std::memcpy(&word, p, 4);
    return word;
  };
  const char* t = text.data();
  const char* e = expected.data();
  if (size >= 8) {
    for (std::size_t i = 0; i + 8 < size; i += 8) {
      if ((word_at(t + i) | word_at(bits + i)) != word_at(e + i)) return false;
    }
    const std::size_t last = size - 8;
    return (word_at(t + last) | word_at(bits + last)) == word_at(e + last);
  }
  if (size >= 4) {
    const std::size_t last = size - 4;
    return (half_word_at(t) | half_word_at(bits)) == half_word_at(e) &&
           (half_word_at(t + last) | half_word_at(bits + last)) == half_word_at(e + last);
  }
  for (std::size_t i = 0; i < size; ++i) {
    if ((t[i] | bits[i]) != e[i]) return false;
  }
  return true;
}

// RFC 9110 token: one or more tchar.
bool IsToken(std::string_view s);

// RFC 9110 field value: no control bytes (NUL, CR, LF, ...) other than horizontal tab.
bool IsValidHeaderValue(std::string_view s);

// Removes spaces and horizontal tabs at both ends (RFC 9110 OWS).
std::string_view TrimOptionalWhitespace(std::string_view s);

std::string AsciiLowerCopy(std::string_view s);

// RFC 3986 percent-decoding of `in` appended to `out`; '+' stays '+'; a '%' not followed by
// two hex digits is kept as written. Appends at most in.size() bytes.
void AppendPercentDecoded(std::string_view in, std::string& out);

// A Gateway API hostname: DNS labels of [a-z0-9-] (any case), optionally led by "*." —
// no IP addresses, no port, at most 253 bytes.
bool IsValidHostname(std::string_view s);

// The host without ":port" (IPv6 literals keep their brackets).
std::string_view StripPort(std::string_view host);

}  // namespace llmroute::internal

#endif  // LLMROUTE_TEXT_HTTP_TEXT_H_
