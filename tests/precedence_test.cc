// Precedence across all rules of all applicable routes (docs/routing.md#precedence): the
// first criterion that differs decides.
//
// For criteria 1–5 each case puts the expected loser in an older route whose name sorts
// first and which comes first in the file, and gives it the advantage on every criterion
// after the one under test where possible; the winner ties on every criterion before it.
// So the criterion under test is the only thing that can pick the winner.

#include <ostream>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

std::string LoserAndWinner(std::string_view loser_match, std::string_view winner_match) {
  return Cat(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a-loser, namespace: ns, creationTimestamp: "2020-01-01T00:00:00Z"}
spec:
  rules:
  - matches:
    - )",
             loser_match, R"(
    backendRefs: [{name: loser}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b-winner, namespace: ns, creationTimestamp: "2021-01-01T00:00:00Z"}
spec:
  rules:
  - matches:
    - )",
             winner_match, R"(
    backendRefs: [{name: winner}]
)");
}

struct PrecedenceCase {
  std::string name;
  std::string loser;   // YAML flow mapping of the losing HTTPRouteMatch
  std::string winner;  // YAML flow mapping of the winning HTTPRouteMatch
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
};

void PrintTo(const PrecedenceCase& c, std::ostream* os) { *os << c.name; }

class CriterionTest : public ::testing::TestWithParam<PrecedenceCase> {};

TEST_P(CriterionTest, DecidesWhenEarlierCriteriaTie) {
  const PrecedenceCase& c = GetParam();
  auto table = MustCompile(LoserAndWinner(c.loser, c.winner));
  ASSERT_NE(table, nullptr);
  Req req = Req().Method(c.method).Path(c.path);
  for (const auto& [name, value] : c.headers) req.AddHeader(name, value);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, std::move(req)), RoutedByRule("ns/winner", "ns/b-winner", 0, 0)))
      << "loser:  " << c.loser << "\nwinner: " << c.winner;
}

// The loser's extras, which would win on criteria 3–8 were they reached.
constexpr char kExtras[] =
    "method: POST, headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}],"
    " queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]";

std::string With(std::string_view path, std::string_view extras = kExtras) {
  std::string out = Cat("{path: ", path);
  if (!extras.empty()) out += Cat(", ", extras);
  return out + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Precedence, CriterionTest,
    ::testing::Values(
        // 1. Path match type: Exact > RegularExpression > PathPrefix.
        PrecedenceCase{"ExactBeatsRegularExpression",
                       With("{type: RegularExpression, value: '/v1/chat/completions(/.*)?'}"),
                       With("{type: Exact, value: /v1/chat/completions}", ""),
                       "POST",
                       "/v1/chat/completions?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"RegularExpressionBeatsPathPrefix",
                       With("{type: PathPrefix, value: /v1/chat/completions}"),
                       With("{type: RegularExpression, value: '/v1/.*'}", ""),
                       "POST",
                       "/v1/chat/completions?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"ExactBeatsPathPrefix",
                       With("{type: PathPrefix, value: /v1/chat/completions}"),
                       With("{type: Exact, value: /v1/chat/completions}", ""),
                       "POST",
                       "/v1/chat/completions?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        // 2. Longer path value, in bytes as written.
        PrecedenceCase{"LongerPrefixBeatsShorter",
                       With("{type: PathPrefix, value: /v1}"),
                       With("{type: PathPrefix, value: /v1/chat}", ""),
                       "POST",
                       "/v1/chat/completions?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"PrefixTrailingSlashCountsInLength",
                       With("{type: PathPrefix, value: /v1}"),
                       With("{type: PathPrefix, value: /v1/}", ""),
                       "POST",
                       "/v1/models?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"LongerRegexBeatsShorter",
                       With("{type: RegularExpression, value: '/v1/.*'}"),
                       With("{type: RegularExpression, value: '/v1/c.*'}", ""),
                       "POST",
                       "/v1/chat?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        // "/é.*" is 4 characters but 5 bytes; "/.x$" is 4 characters and 4 bytes.
        PrecedenceCase{"PathLengthCountsBytesNotCharacters",
                       With("{type: RegularExpression, value: '/.x$'}"),
                       With("{type: RegularExpression, value: '/\xC3\xA9.*'}", ""),
                       "POST",
                       "/\xC3\xA9x?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        // 3. A match with a method beats one without.
        PrecedenceCase{"MethodBeatsNoMethod",
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}],"
                            " queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       With("{type: PathPrefix, value: /v1}", "method: POST"),
                       "POST",
                       "/v1/x?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        // 4. More header matches, then more Exact header matches.
        PrecedenceCase{
            "MoreHeadersBeatFewer",
            With("{type: PathPrefix, value: /v1}",
                 "method: POST, headers: [{name: x-h, value: '1'}],"
                 " queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
            With("{type: PathPrefix, value: /v1}",
                 "method: POST, headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}]"),
            "POST",
            "/v1/x?q=1&r=1",
            {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"MoreExactHeadersBeatFewer",
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'},"
                            " {name: x-i, type: RegularExpression, value: '[0-9]'}],"
                            " queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}]"),
                       "GET",
                       "/v1/x?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        // A header name listed twice counts once (the first), also for precedence.
        PrecedenceCase{"DuplicateHeaderNameCountsOnce",
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'}, {name: x-h, value: '1'},"
                            " {name: X-H, value: '1'}],"
                            " queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}]"),
                       "GET",
                       "/v1/x?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        // 5. More query param matches, then more Exact ones.
        PrecedenceCase{"MoreQueryParamsBeatFewer",
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'}],"
                            " queryParams: [{name: q, value: '1'}]"),
                       With("{type: PathPrefix, value: /v1}",
                            "headers: [{name: x-h, value: '1'}],"
                            " queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       "GET",
                       "/v1/x?q=1&r=1",
                       {{"x-h", "1"}}},
        PrecedenceCase{"MoreExactQueryParamsBeatFewer",
                       With("{type: PathPrefix, value: /v1}",
                            "queryParams: [{name: q, value: '1'},"
                            " {name: r, type: RegularExpression, value: '[0-9]'}]"),
                       With("{type: PathPrefix, value: /v1}",
                            "queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       "GET",
                       "/v1/x?q=1&r=1",
                       {}},
        PrecedenceCase{"DuplicateQueryNameCountsOnce",
                       With("{type: PathPrefix, value: /v1}",
                            "queryParams: [{name: q, value: '1'}, {name: q, value: '1'},"
                            " {name: q, value: '1'}]"),
                       With("{type: PathPrefix, value: /v1}",
                            "queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       "GET",
                       "/v1/x?q=1&r=1",
                       {}},
        // An earlier criterion overrides every later one.
        PrecedenceCase{"PathLengthBeatsMethodHeadersAndQuery",
                       With("{type: PathPrefix, value: /v1}"),
                       With("{type: PathPrefix, value: /v1/x}", ""),
                       "POST",
                       "/v1/x?q=1&r=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"MethodBeatsHeadersAndQuery",
                       With("{type: PathPrefix, value: /}",
                            "headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}],"
                            " queryParams: [{name: q, value: '1'}]"),
                       With("{type: PathPrefix, value: /}", "method: PATCH"),
                       "PATCH",
                       "/?q=1",
                       {{"x-h", "1"}, {"x-i", "1"}}},
        PrecedenceCase{"HeadersBeatQueryParams",
                       With("{type: PathPrefix, value: /}",
                            "queryParams: [{name: q, value: '1'}, {name: r, value: '1'}]"),
                       With("{type: PathPrefix, value: /}", "headers: [{name: x-h, value: '1'}]"),
                       "GET",
                       "/?q=1&r=1",
                       {{"x-h", "1"}}}),
    [](const ::testing::TestParamInfo<PrecedenceCase>& info) { return info.param.name; });

// --- 6. Older route, by creationTimestamp compared as instants ------------------------

// Route ns/a (name sorts first, first in the file) against ns/b; all matches identical.
std::string TwoRoutes(std::string_view a_timestamp, std::string_view b_timestamp) {
  auto metadata = [](std::string_view name, std::string_view ts) {
    std::string out = Cat("{name: ", name, ", namespace: ns");
    if (!ts.empty()) out += Cat(", creationTimestamp: \"", ts, "\"");
    return out + "}";
  };
  return Cat(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: )",
             metadata("a", a_timestamp), R"(
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: backend-a}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: )",
             metadata("b", b_timestamp), R"(
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: backend-b}]
)");
}

struct AgeCase {
  std::string name;
  std::string a_timestamp;  // empty: absent
  std::string b_timestamp;
  std::string winner;  // "a" or "b"
};

void PrintTo(const AgeCase& c, std::ostream* os) { *os << c.name; }

class RouteAgeTest : public ::testing::TestWithParam<AgeCase> {};

TEST_P(RouteAgeTest, OlderRouteWins) {
  const AgeCase& c = GetParam();
  auto table = MustCompile(TwoRoutes(c.a_timestamp, c.b_timestamp));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Path("/v1/chat")),
                         RoutedByRule(Cat("ns/backend-", c.winner), Cat("ns/", c.winner), 0, 0)))
      << "a: " << c.a_timestamp << "\nb: " << c.b_timestamp;
}

INSTANTIATE_TEST_SUITE_P(
    Precedence, RouteAgeTest,
    ::testing::Values(
        AgeCase{"OlderBeatsNameOrder", "2021-06-01T00:00:00Z", "2020-06-01T00:00:00Z", "b"},
        // 10:00+02:00 is 08:00Z, earlier than 09:00Z although it sorts later as text.
        AgeCase{"ComparedAsInstantsAcrossOffsets", "2024-01-01T09:00:00Z",
                "2024-01-01T10:00:00+02:00", "b"},
        // 00:00:00Z is before 00:00:00.1Z although "." sorts before "Z" as text.
        AgeCase{"FractionalSecondsCount", "2024-01-01T00:00:00.1Z", "2024-01-01T00:00:00Z", "b"},
        AgeCase{"AbsentIsOldest", "1970-01-01T00:00:00Z", "", "b"},
        AgeCase{"AbsentIsOlderThanPreEpoch", "1900-01-01T00:00:00Z", "", "b"},
        AgeCase{"PreEpochIsOlderThanEpoch", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "b"},
        // The same instant written two ways ties; the name decides (criterion 7).
        AgeCase{"SameInstantDifferentOffsetsTie", "2024-01-01T02:00:00+02:00",
                "2024-01-01T00:00:00Z", "a"},
        AgeCase{"BothAbsentTie", "", "", "a"}),
    [](const ::testing::TestParamInfo<AgeCase>& info) { return info.param.name; });

// --- 7. Route namespace/name as one string, byte order -------------------------------

TEST(Precedence, RouteNamespaceAndNameComparedAsOneString) {
  // "a-b/c" < "a/b" because '-' (0x2D) < '/' (0x2F); namespace-then-name would say "a/b".
  // The route that should lose comes first in the file.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: a}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: backend}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: c, namespace: a-b}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: backend}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Path("/v1/x")), RoutedByRule("a-b/backend", "a-b/c", 0, 0)));
}

TEST(Precedence, RouteNameOrderIsByteOrder) {
  // Byte order: "Z" (0x5A) < "a" (0x61); a case-insensitive order would pick ns/a.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: backend-a}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: Z, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: backend-z}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Path("/v1/x")), RoutedByRule("ns/backend-z", "ns/Z", 0, 0)));
}

// --- 8. Rule order, then match order --------------------------------------------------

TEST(Precedence, EarlierRuleWinsAmongEqualMatches) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{headers: [{name: x-h, value: '1'}]}]
    backendRefs: [{name: zz-first}]
  - matches: [{headers: [{name: x-h, value: '1'}]}]
    backendRefs: [{name: aa-second}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-h", "1")),
                         RoutedByRule("ns/zz-first", "ns/r", 0, 0)));
}

TEST(Precedence, EarlierRuleWinsAmongImplicitMatches) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: zz-first}]
  - backendRefs: [{name: aa-second}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Path("/x")), RoutedByRule("ns/zz-first", "ns/r", 0, 0)));
}

TEST(Precedence, EarlierMatchWinsWithinRule) {
  // Both matches hold; the first listed (on x-z) is reported, not the one whose header
  // name sorts first.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches:
    - headers: [{name: x-z, value: '1'}]
    - headers: [{name: x-a, value: '1'}]
    backendRefs: [{name: b}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-a", "1").Header("x-z", "1")),
                         RoutedByRule("ns/b", "ns/r", 0, 0)));
}

TEST(Precedence, MoreSpecificLaterRuleBeatsEarlierRule) {
  // Criterion 4 decides before rule order (8).
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{headers: [{name: x-h, value: '1'}]}]
    backendRefs: [{name: first}]
  - matches: [{headers: [{name: x-h, value: '1'}, {name: x-i, value: '1'}]}]
    backendRefs: [{name: second}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-h", "1").Header("x-i", "1")),
                         RoutedByRule("ns/second", "ns/r", 1, 0)));
}

TEST(Precedence, HigherPrecedenceMatchInLaterPositionOfRule) {
  // Within one rule, the second match is more specific: it wins and is reported.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches:
    - path: {type: PathPrefix, value: /}
    - path: {type: Exact, value: /v1/models}
    backendRefs: [{name: b}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Path("/v1/models")), RoutedByRule("ns/b", "ns/r", 0, 1)));
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Path("/v1/other")), RoutedByRule("ns/b", "ns/r", 0, 0)));
}

TEST(Precedence, FirstMatchingInOrderWinsWhenBetterOneFails) {
  // The highest-precedence match does not hold; the next one in order wins.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: Exact, value: /v1/chat}}]
    backendRefs: [{name: exact}]
  - matches: [{path: {type: PathPrefix, value: /v1/chat}, method: POST}]
    backendRefs: [{name: prefix-post}]
  - matches: [{path: {type: PathPrefix, value: /v1/chat}}]
    backendRefs: [{name: prefix}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Method("POST").Path("/v1/chat")),
                         RoutedByRule("ns/exact", "ns/r", 0, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Method("POST").Path("/v1/chat/x")),
                         RoutedByRule("ns/prefix-post", "ns/r", 1, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Method("GET").Path("/v1/chat/x")),
                         RoutedByRule("ns/prefix", "ns/r", 2, 0)));
}

}  // namespace
}  // namespace llmroute::test
