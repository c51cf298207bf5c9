// Small text rules of HTTP shared by compile and resolve: tokens, optional whitespace,
// ASCII case folding, percent-decoding and hostnames.
#ifndef LLMROUTE_TEXT_HTTP_TEXT_H_
#define LLMROUTE_TEXT_HTTP_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace llmroute::internal {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// RFC 9110 token: one or more tchar.
bool IsToken(std::string_view s);

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
