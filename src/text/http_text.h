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

// Lower-cases the ASCII letters of eight bytes at once: a byte gets 0x20 added exactly when
// it lies in 'A'..'Z' (bytes with the high bit set are left alone).
inline uint64_t LowerEightBytes(uint64_t x) {
  constexpr uint64_t kEachByte = 0x0101010101010101ULL;
  const uint64_t low7 = x & (0x7F * kEachByte);
  const uint64_t at_least_a = low7 + (0x80 - 'A') * kEachByte;
  const uint64_t above_z = low7 + (0x80 - 'Z' - 1) * kEachByte;
  const uint64_t upper = at_least_a & ~above_z & ~x & (0x80 * kEachByte);
  return x | (upper >> 2);
}

// Whether `text` lower-cased (ASCII letters only) equals `lower`, which is already lower
// case and has the same length. Compares eight bytes at a time; inline, for resolve's
// header-name pass.
inline bool EqualsLowered(std::string_view text, std::string_view lower) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t a, b;
    std::memcpy(&a, text.data() + i, 8);
    std::memcpy(&b, lower.data() + i, 8);
    if (LowerEightBytes(a) != b) return false;
  }
  for (; i < text.size(); ++i) {
    if (AsciiLower(text[i]) != lower[i]) return false;
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
