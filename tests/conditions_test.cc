// The rules of matching shared by resolve, explain and check's shadowing warning.

#include "match/conditions.h"

#include <optional>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "enum_names.h"
#include "gtest/gtest.h"
#include "llmroute/names.h"

namespace llmroute::internal {
namespace {

TEST(Conditions, PathPrefixIsSegmentWise) {
  EXPECT_TRUE(PathHasPrefix("/foo", "/foo"));
  EXPECT_TRUE(PathHasPrefix("/foo/", "/foo"));
  EXPECT_TRUE(PathHasPrefix("/foo/bar", "/foo"));
  EXPECT_FALSE(PathHasPrefix("/foobar", "/foo"));
  EXPECT_FALSE(PathHasPrefix("/fo", "/foo"));
  EXPECT_TRUE(PathHasPrefix("/anything", ""));
}

TEST(Conditions, PathHoldsPerType) {
  CompiledMatch match;
  match.path_type = MatchType::kPathPrefix;
  match.path = "";
  EXPECT_TRUE(PathHolds(match, "/x"));
  match.path = "/v1";
  EXPECT_TRUE(PathHolds(match, "/v1/chat"));
  EXPECT_FALSE(PathHolds(match, "/v10"));
  match.path_type = MatchType::kExact;
  EXPECT_TRUE(PathHolds(match, "/v1"));
  EXPECT_FALSE(PathHolds(match, "/v1/"));
  const RE2 regex("/v[0-9]+");
  match.path_type = MatchType::kRegularExpression;
  match.path_regex = &regex;
  EXPECT_TRUE(PathHolds(match, "/v12"));
  EXPECT_FALSE(PathHolds(match, "/v12/x"));  // the whole path
}

TEST(Conditions, ValueHoldsNeedsAValue) {
  ValueCondition exact;
  exact.value = "a";
  EXPECT_TRUE(ValueHolds(exact, std::string_view("a")));
  EXPECT_FALSE(ValueHolds(exact, std::string_view("ab")));
  EXPECT_FALSE(ValueHolds(exact, std::nullopt));
  const RE2 regex("a+");
  ValueCondition pattern;
  pattern.type = MatchType::kRegularExpression;
  pattern.regex = &regex;
  EXPECT_TRUE(ValueHolds(pattern, std::string_view("aaa")));
  EXPECT_FALSE(ValueHolds(pattern, std::string_view("aab")));
  EXPECT_FALSE(ValueHolds(pattern, std::nullopt));
}

TEST(Conditions, PrefixImpliesWholeSegmentsOnly) {
  CompiledTable table;
  CompiledMatch a, b;
  a.path_type = MatchType::kPathPrefix;
  a.path = "/v1";
  b.path_type = MatchType::kExact;
  b.path = "/v1/chat";
  EXPECT_TRUE(MatchImplies(table, a, b));
  b.path = "/v10";
  EXPECT_FALSE(MatchImplies(table, a, b));
  b.path_type = MatchType::kPathPrefix;
  b.path = "/v1";
  EXPECT_TRUE(MatchImplies(table, a, b));
  EXPECT_TRUE(MatchImplies(table, b, a));
  a.has_method = true;
  a.method = "GET";
  EXPECT_FALSE(MatchImplies(table, a, b));  // b takes every method
  EXPECT_TRUE(MatchImplies(table, b, a));
}

TEST(Conditions, ConditionKeysDifferByKindSlotAndValue) {
  absl::flat_hash_set<ConditionKey> keys;
  using Kind = ConditionKey::Kind;
  EXPECT_TRUE(keys.insert(ConditionKey{Kind::kHeader, 1, "2:x"}).second);
  EXPECT_TRUE(keys.insert(ConditionKey{Kind::kHeader, 12, ":x"}).second);
  EXPECT_TRUE(keys.insert(ConditionKey{Kind::kQuery, 1, "2:x"}).second);
  EXPECT_TRUE(keys.insert(ConditionKey{Kind::kNone, 0, ""}).second);
  EXPECT_FALSE(keys.insert(ConditionKey{Kind::kHeader, 1, "2:x"}).second);
  EXPECT_TRUE(ConditionKey({Kind::kHeaderRegexPrefix, 0, ""}).is_regex());
  EXPECT_FALSE(ConditionKey({Kind::kHeader, 0, ""}).is_regex());
}

TEST(EnumNames, EveryNameRoundTrips) {
  for (const auto& [name, value] : kAllowedBackendsNames) {
    EXPECT_EQ(AllowedBackendsName(value), name);
    EXPECT_EQ(AllowedBackendsFromName(name), value);
  }
  for (const auto& [name, value] : kOnDisallowedNames) {
    EXPECT_EQ(OnDisallowedName(value), name);
    EXPECT_EQ(OnDisallowedFromName(name), value);
  }
  for (const auto& [name, value] : kMatchTypeNames) EXPECT_EQ(MatchTypeName(value), name);
  EXPECT_EQ(AllowedBackendsFromName("rulesonly"), std::nullopt);
  EXPECT_EQ(OnDisallowedFromName(""), std::nullopt);
}

}  // namespace
}  // namespace llmroute::internal
