// The small HTTP text rules shared by compile and resolve.
#include "text/http_text.h"

#include <string>

#include "gtest/gtest.h"
#include "text/hex.h"
#include "text/utf8.h"

namespace llmroute::internal {
namespace {

// Whether `text` equals the lower-case `lower` with ASCII letters in either case, as header
// names are compared: `lower` with its letter bits.
bool EqualsLowered(std::string_view text, std::string_view lower) {
  std::string bits;
  for (const char c : lower) bits.push_back(c >= 'a' && c <= 'z' ? 0x20 : 0);
  return EqualsWithBitsSet(text, bits.data(), lower);
}

// EqualsWithBitsSet compares eight (or four) bytes at a time, in words that may overlap:
// every byte value, at every position of every word and of the tail, must compare exactly
// like AsciiLower.
TEST(HttpText, EqualsLoweredAgreesWithBytewiseFoldingForEveryByte) {
  for (std::size_t length : {1u, 3u, 4u, 5u, 7u, 8u, 9u, 13u, 16u, 21u}) {
    for (std::size_t position = 0; position < length; ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'x');
        text[position] = static_cast<char>(byte);
        std::string lowered = text;
        for (char& c : lowered) c = AsciiLower(c);
        ASSERT_TRUE(EqualsLowered(text, lowered)) << length << " " << position << " " << byte;
        for (int other = 0; other < 256; ++other) {
          if (other >= 'A' && other <= 'Z') continue;  // names are compared lower-cased
          std::string lower(length, 'x');
          lower[position] = static_cast<char>(other);
          if (lower == lowered) continue;
          ASSERT_FALSE(EqualsLowered(text, lower)) << length << " " << position << " " << byte << " " << other;
        }
      }
    }
  }
}

TEST(HttpText, HeaderNamesMatchInAnyCase) {
  EXPECT_TRUE(EqualsLowered("X-AI-EG-Model", "x-ai-eg-model"));
  EXPECT_FALSE(EqualsLowered("X-AI-EG-Modem", "x-ai-eg-model"));
  EXPECT_FALSE(EqualsLowered("Authorization", "x-ai-eg-model"));
}

TEST(HttpText, PercentDecodingKeepsPlusAndBadEscapes) {
  std::string out;
  AppendPercentDecoded("a%20b+c%2x%", out);
  EXPECT_EQ(out, "a b+c%2x%");
}

TEST(HttpText, StripPortKeepsIpv6Brackets) {
  EXPECT_EQ(StripPort("example.com:8080"), "example.com");
  EXPECT_EQ(StripPort("[::1]:443"), "[::1]");
  EXPECT_EQ(StripPort("example.com"), "example.com");
}

TEST(HttpText, Utf8SequenceLengthAcceptsOnlyWellFormedSequences) {
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
  EXPECT_EQ(Utf8SequenceLength("a"), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9x"), 2u);        // é
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC"), 3u);     // €
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80"), 4u);  // U+1F600
  EXPECT_EQ(Utf8SequenceLength("\xC0\x80"), 0u);         // overlong NUL
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\x80"), 0u);     // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80"), 0u);     // a UTF-16 surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82"), 0u);         // cut short
  EXPECT_EQ(Utf8SequenceLength("\x80"), 0u);              // a lone continuation byte
}

TEST(HttpText, HexDigitValue) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
  for (int v = 0; v < 16; ++v) EXPECT_EQ(HexDigitValue(kLowerHexDigits[v]), v);
}

}  // namespace
}  // namespace llmroute::internal
