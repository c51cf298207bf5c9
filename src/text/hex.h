// Hexadecimal digits, read and written.
#ifndef LLMROUTE_TEXT_HEX_H_
#define LLMROUTE_TEXT_HEX_H_

namespace llmroute::internal {

// The value of a hexadecimal digit (either case), or -1 for any other byte.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The lower-case digit of each value 0..15.
inline constexpr char kLowerHexDigits[] = "0123456789abcdef";

}  // namespace llmroute::internal

#endif  // LLMROUTE_TEXT_HEX_H_
