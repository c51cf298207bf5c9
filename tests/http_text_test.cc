// The small HTTP text rules shared by compile and resolve.
#include "text/http_text.h"

#include <string>

#include "gtest/gtest.h"

namespace llmroute::internal {
namespace {

// EqualsLowered folds eight bytes at a time: every byte value, at every position of the
// word and of the tail, must fold exactly like AsciiLower.
TEST(HttpText, EqualsLoweredAgreesWithBytewiseFoldingForEveryByte) {
  for (std::size_t length : {1u, 7u, 8u, 9u, 13u, 16u, 21u}) {
    for (std::size_t position = 0; position < length; ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'x');
        text[position] = static_cast<char>(byte);
        std::string lowered = text;
        for (char& c : lowered) c = AsciiLower(c);
        ASSERT_TRUE(EqualsLowered(text, lowered)) << length << " " << position << " " << byte;
        for (int other = 0; other < 256; ++other) {
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

}  // namespace
}  // namespace llmroute::internal
