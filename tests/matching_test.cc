// Rule matching (docs/routing.md#matching): path, headers, query parameters, method,
// AND within a match, OR across matches, and what happens when nothing matches.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

// One HTTPRoute ns/r with one rule whose only match is `match_flow` (a YAML flow mapping)
// and whose only backend is ns/b.
std::string OneMatchRoute(std::string_view match_flow) {
  return Cat(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches:
    - )",
             match_flow, R"(
    backendRefs: [{name: b}]
)");
}

struct MatchCase {
  std::string name;
  std::string match;  // YAML flow mapping of one HTTPRouteMatch
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  bool matches;
};

void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.name; }

class SingleMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(SingleMatchTest, MatchesExactlyWhenDocumented) {
  const MatchCase& c = GetParam();
  auto table = MustCompile(OneMatchRoute(c.match));
  ASSERT_NE(table, nullptr);
  Req req = Req().Method(c.method).Host("example.com").Path(c.path);
  for (const auto& [name, value] : c.headers) req.AddHeader(name, value);
  Resolved r = Resolve(table, std::move(req));
  if (c.matches) {
    EXPECT_TRUE(DecisionIs(r, RoutedByRule("ns/b", "ns/r", 0, 0))) << "match: " << c.match;
  } else {
    EXPECT_TRUE(DecisionIs(r, NoRoute())) << "match: " << c.match;
  }
}

std::string CaseName(const ::testing::TestParamInfo<MatchCase>& info) { return info.param.name; }

// --- Path ----------------------------------------------------------------------------

constexpr char kPrefixFoo[] = "{path: {type: PathPrefix, value: /foo}}";
constexpr char kPrefixFooSlash[] = "{path: {type: PathPrefix, value: /foo/}}";
constexpr char kPrefixFooBar[] = "{path: {type: PathPrefix, value: /foo/bar}}";
constexpr char kExactFoo[] = "{path: {type: Exact, value: /foo}}";
constexpr char kRegexChat[] = "{path: {type: RegularExpression, value: '/v[0-9]+/chat'}}";
constexpr char kRegexEndsInB[] = "{path: {type: RegularExpression, value: '.*b'}}";

INSTANTIATE_TEST_SUITE_P(
    PathMatch, SingleMatchTest,
    ::testing::Values(
        MatchCase{"PrefixMatchesItself", kPrefixFoo, "GET", "/foo", {}, true},
        MatchCase{"PrefixMatchesWithTrailingSlash", kPrefixFoo, "GET", "/foo/", {}, true},
        MatchCase{"PrefixMatchesSubpath", kPrefixFoo, "GET", "/foo/bar", {}, true},
        MatchCase{"PrefixIsSegmentWiseNotBytewise", kPrefixFoo, "GET", "/foobar", {}, false},
        MatchCase{"PrefixRejectsShorterPath", kPrefixFoo, "GET", "/fo", {}, false},
        MatchCase{"PrefixIsCaseSensitive", kPrefixFoo, "GET", "/FOO", {}, false},
        MatchCase{"PrefixIgnoresQueryString", kPrefixFoo, "GET", "/foo?x=/y", {}, true},
        MatchCase{"PrefixPathEndsAtQuestionMark", kPrefixFoo, "GET", "/fo?o", {}, false},
        MatchCase{"PrefixSegmentBeforeQuery", kPrefixFoo, "GET", "/foobar?x", {}, false},
        MatchCase{
            "PrefixTrailingSlashIgnoredMatchesBare", kPrefixFooSlash, "GET", "/foo", {}, true},
        MatchCase{
            "PrefixTrailingSlashMatchesSubpath", kPrefixFooSlash, "GET", "/foo/bar", {}, true},
        MatchCase{
            "PrefixTrailingSlashStillSegmentWise", kPrefixFooSlash, "GET", "/foobar", {}, false},
        MatchCase{"PrefixTwoSegmentsMatchesDeeper", kPrefixFooBar, "GET", "/foo/bar/baz", {}, true},
        MatchCase{"PrefixTwoSegmentsRejectsLongerLastSegment",
                  kPrefixFooBar,
                  "GET",
                  "/foo/barbaz",
                  {},
                  false},
        MatchCase{"PrefixTwoSegmentsRejectsParent", kPrefixFooBar, "GET", "/foo", {}, false},
        MatchCase{"RootPrefixMatchesAnything",
                  "{path: {type: PathPrefix, value: /}}",
                  "GET",
                  "/any/thing",
                  {},
                  true},
        MatchCase{"MissingPathIsRootPrefix", "{method: GET}", "GET", "/any/thing", {}, true},
        MatchCase{"ExactMatchesItself", kExactFoo, "GET", "/foo", {}, true},
        MatchCase{"ExactRejectsTrailingSlash", kExactFoo, "GET", "/foo/", {}, false},
        MatchCase{"ExactRejectsSubpath", kExactFoo, "GET", "/foo/bar", {}, false},
        MatchCase{"ExactRejectsLonger", kExactFoo, "GET", "/foobar", {}, false},
        MatchCase{"ExactIsCaseSensitive", kExactFoo, "GET", "/Foo", {}, false},
        MatchCase{"ExactIgnoresQueryString", kExactFoo, "GET", "/foo?a=1", {}, true},
        MatchCase{"RegexMatchesWholePath", kRegexChat, "GET", "/v1/chat", {}, true},
        MatchCase{"RegexIgnoresQueryString", kRegexChat, "GET", "/v12/chat?stream=true", {}, true},
        MatchCase{"RegexMustMatchToTheEnd", kRegexChat, "GET", "/v1/chat/x", {}, false},
        MatchCase{"RegexMustMatchFromTheStart", kRegexChat, "GET", "/api/v1/chat", {}, false},
        MatchCase{"RegexRejectsNonMatching", kRegexChat, "GET", "/vx/chat", {}, false},
        MatchCase{"RegexDoesNotSeeQueryString", kRegexEndsInB, "GET", "/a?b", {}, false},
        MatchCase{"RegexSeesPathBeforeQuery", kRegexEndsInB, "GET", "/ab?c", {}, true}),
    CaseName);

// --- Headers -------------------------------------------------------------------------

constexpr char kHeaderMixedCaseName[] = "{headers: [{name: X-Model, value: gpt}]}";
constexpr char kHeaderJoined[] = "{headers: [{name: x-list, value: 'a,b'}]}";
constexpr char kHeaderSingleA[] = "{headers: [{name: x-list, value: a}]}";
constexpr char kHeaderRegex[] =
    "{headers: [{name: x-model, type: RegularExpression, value: 'gpt-4.*'}]}";
constexpr char kHeaderRegexShort[] =
    "{headers: [{name: x-model, type: RegularExpression, value: gpt}]}";
constexpr char kHeaderDefaultExact[] = "{headers: [{name: x-model, value: 'gpt.*'}]}";
constexpr char kHeaderDuplicateName[] =
    "{headers: [{name: x-dup, value: one}, {name: x-dup, value: two}]}";
constexpr char kHeaderDuplicateNameOtherCase[] =
    "{headers: [{name: x-dup, value: one}, {name: X-Dup, value: two}]}";
constexpr char kHeadersAnd[] = "{headers: [{name: x-a, value: '1'}, {name: x-b, value: '2'}]}";

INSTANTIATE_TEST_SUITE_P(
    HeaderMatch, SingleMatchTest,
    ::testing::Values(
        MatchCase{"NameCaseInsensitiveLower",
                  kHeaderMixedCaseName,
                  "GET",
                  "/",
                  {{"x-model", "gpt"}},
                  true},
        MatchCase{"NameCaseInsensitiveUpper",
                  kHeaderMixedCaseName,
                  "GET",
                  "/",
                  {{"X-MODEL", "gpt"}},
                  true},
        MatchCase{"ExactValueIsCaseSensitive",
                  kHeaderMixedCaseName,
                  "GET",
                  "/",
                  {{"x-model", "GPT"}},
                  false},
        MatchCase{"ExactValueIsWholeValue",
                  kHeaderMixedCaseName,
                  "GET",
                  "/",
                  {{"x-model", "gpt-4"}},
                  false},
        MatchCase{"AbsentHeaderDoesNotMatch",
                  kHeaderMixedCaseName,
                  "GET",
                  "/",
                  {{"x-other", "gpt"}},
                  false},
        MatchCase{"RepeatedHeaderJoinedByComma",
                  kHeaderJoined,
                  "GET",
                  "/",
                  {{"x-list", "a"}, {"x-list", "b"}},
                  true},
        MatchCase{"RepeatedHeaderJoinedAcrossNameCase",
                  kHeaderJoined,
                  "GET",
                  "/",
                  {{"x-list", "a"}, {"x-other", "z"}, {"X-List", "b"}},
                  true},
        MatchCase{"CommaValueInOneHeader", kHeaderJoined, "GET", "/", {{"x-list", "a,b"}}, true},
        MatchCase{"RepeatedHeaderJoinedInOrderGiven",
                  kHeaderJoined,
                  "GET",
                  "/",
                  {{"x-list", "b"}, {"x-list", "a"}},
                  false},
        MatchCase{
            "OneOfRepeatedValuesIsNotEnough", kHeaderJoined, "GET", "/", {{"x-list", "a"}}, false},
        MatchCase{"RepeatedHeaderNotMatchedByOneValue",
                  kHeaderSingleA,
                  "GET",
                  "/",
                  {{"x-list", "a"}, {"x-list", "a"}},
                  false},
        MatchCase{
            "RegexMatchesWholeValue", kHeaderRegex, "GET", "/", {{"x-model", "gpt-4o"}}, true},
        MatchCase{
            "RegexIsAnchoredAtStart", kHeaderRegex, "GET", "/", {{"x-model", "my-gpt-4o"}}, false},
        MatchCase{
            "RegexIsAnchoredAtEnd", kHeaderRegexShort, "GET", "/", {{"x-model", "gpt-4o"}}, false},
        MatchCase{"TypeDefaultsToExactNotRegex",
                  kHeaderDefaultExact,
                  "GET",
                  "/",
                  {{"x-model", "gpt-4"}},
                  false},
        MatchCase{"TypeDefaultsToExactLiteral",
                  kHeaderDefaultExact,
                  "GET",
                  "/",
                  {{"x-model", "gpt.*"}},
                  true},
        MatchCase{
            "DuplicateNameFirstCounts", kHeaderDuplicateName, "GET", "/", {{"x-dup", "one"}}, true},
        MatchCase{"DuplicateNameSecondIgnored",
                  kHeaderDuplicateName,
                  "GET",
                  "/",
                  {{"x-dup", "two"}},
                  false},
        MatchCase{"DuplicateNameInOtherCaseSecondIgnored",
                  kHeaderDuplicateNameOtherCase,
                  "GET",
                  "/",
                  {{"x-dup", "one"}},
                  true},
        MatchCase{"AllHeadersOfAMatchRequired", kHeadersAnd, "GET", "/", {{"x-a", "1"}}, false},
        MatchCase{"AllHeadersOfAMatchPresent",
                  kHeadersAnd,
                  "GET",
                  "/",
                  {{"x-b", "2"}, {"x-a", "1"}},
                  true}),
    CaseName);

// --- Query parameters ----------------------------------------------------------------

constexpr char kQueryAnimal[] = "{queryParams: [{name: animal, value: whale}]}";
constexpr char kQueryDotSlash[] = "{queryParams: [{name: a.b, value: 'c/d'}]}";
constexpr char kQueryPlus[] = "{queryParams: [{name: q, value: 'x+y'}]}";
constexpr char kQuerySpace[] = "{queryParams: [{name: q, value: 'x y'}]}";
constexpr char kQueryPercentAsWritten[] = "{queryParams: [{name: q, value: 'a%20b'}]}";
constexpr char kQueryRegex[] =
    "{queryParams: [{name: m, type: RegularExpression, value: 'gpt-.*'}]}";
constexpr char kQueryRegexSpace[] =
    "{queryParams: [{name: m, type: RegularExpression, value: 'a b'}]}";
constexpr char kQueryDuplicateName[] =
    "{queryParams: [{name: q, value: '1'}, {name: q, value: '2'}]}";

INSTANTIATE_TEST_SUITE_P(
    QueryMatch, SingleMatchTest,
    ::testing::Values(
        MatchCase{"ExactValue", kQueryAnimal, "GET", "/?animal=whale", {}, true},
        MatchCase{"AmongOtherParams", kQueryAnimal, "GET", "/?x=y&animal=whale&z", {}, true},
        MatchCase{"NameIsCaseSensitive", kQueryAnimal, "GET", "/?ANIMAL=whale", {}, false},
        MatchCase{"ValueIsCaseSensitive", kQueryAnimal, "GET", "/?animal=Whale", {}, false},
        MatchCase{"ValueIsWhole", kQueryAnimal, "GET", "/?animal=whaledolphin", {}, false},
        MatchCase{"AbsentParam", kQueryAnimal, "GET", "/", {}, false},
        MatchCase{"RepeatedParamFirstValueMatches",
                  kQueryAnimal,
                  "GET",
                  "/?animal=whale&animal=dolphin",
                  {},
                  true},
        MatchCase{"RepeatedParamLaterValueIgnored",
                  kQueryAnimal,
                  "GET",
                  "/?animal=dolphin&animal=whale",
                  {},
                  false},
        MatchCase{"NameAndValuePercentDecoded", kQueryDotSlash, "GET", "/?a%2Eb=c%2Fd", {}, true},
        MatchCase{"LowercaseHexDecoded", kQueryDotSlash, "GET", "/?a%2eb=c%2fd", {}, true},
        MatchCase{"NameDecoded", kQueryAnimal, "GET", "/?%61nimal=whale", {}, true},
        MatchCase{"PlusStaysPlus", kQueryPlus, "GET", "/?q=x+y", {}, true},
        MatchCase{"EncodedPlusIsPlus", kQueryPlus, "GET", "/?q=x%2By", {}, true},
        MatchCase{"PlusIsNotSpace", kQuerySpace, "GET", "/?q=x+y", {}, false},
        MatchCase{"EncodedSpaceIsSpace", kQuerySpace, "GET", "/?q=x%20y", {}, true},
        MatchCase{"ConfigValueNotDecoded", kQueryPercentAsWritten, "GET", "/?q=a%20b", {}, false},
        MatchCase{
            "ConfigValueComparedAsWritten", kQueryPercentAsWritten, "GET", "/?q=a%2520b", {}, true},
        MatchCase{"RegexWholeValue", kQueryRegex, "GET", "/?m=gpt-4", {}, true},
        MatchCase{"RegexAnchored", kQueryRegex, "GET", "/?m=xgpt-4", {}, false},
        MatchCase{"RegexSeesDecodedValue", kQueryRegexSpace, "GET", "/?m=a%20b", {}, true},
        MatchCase{"DuplicateNameFirstCounts", kQueryDuplicateName, "GET", "/?q=1", {}, true},
        MatchCase{"DuplicateNameSecondIgnored", kQueryDuplicateName, "GET", "/?q=2", {}, false}),
    CaseName);

// --- Method and AND ------------------------------------------------------------------

constexpr char kMethodPost[] = "{method: POST}";
constexpr char kAllConditions[] =
    "{path: {type: PathPrefix, value: /v1}, method: POST, headers: [{name: x-h, value: '1'}],"
    " queryParams: [{name: q, value: '1'}]}";

INSTANTIATE_TEST_SUITE_P(
    MethodMatch, SingleMatchTest,
    ::testing::Values(MatchCase{"SameMethod", kMethodPost, "POST", "/", {}, true},
                      MatchCase{"LowercaseDiffers", kMethodPost, "post", "/", {}, false},
                      MatchCase{"MixedCaseDiffers", kMethodPost, "Post", "/", {}, false},
                      MatchCase{"OtherMethod", kMethodPost, "GET", "/", {}, false}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    AndWithinMatch, SingleMatchTest,
    ::testing::Values(
        MatchCase{"AllConditionsHold", kAllConditions, "POST", "/v1/x?q=1", {{"x-h", "1"}}, true},
        MatchCase{"PathFails", kAllConditions, "POST", "/v2/x?q=1", {{"x-h", "1"}}, false},
        MatchCase{"MethodFails", kAllConditions, "GET", "/v1/x?q=1", {{"x-h", "1"}}, false},
        MatchCase{"HeaderFails", kAllConditions, "POST", "/v1/x?q=1", {{"x-h", "2"}}, false},
        MatchCase{"QueryFails", kAllConditions, "POST", "/v1/x?q=2", {{"x-h", "1"}}, false}),
    CaseName);

// --- OR across matches, rules without matches, no rule ------------------------------

constexpr char kTwoMatchesOneRule[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches:
    - headers: [{name: x-a, value: '1'}]
    - headers: [{name: x-b, value: '1'}]
    backendRefs: [{name: b}]
)";

TEST(RuleMatch, MatchesAreOredFirstAlternative) {
  auto table = MustCompile(kTwoMatchesOneRule);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Header("x-a", "1")), RoutedByRule("ns/b", "ns/r", 0, 0)));
}

TEST(RuleMatch, MatchesAreOredSecondAlternative) {
  auto table = MustCompile(kTwoMatchesOneRule);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Header("x-b", "1")), RoutedByRule("ns/b", "ns/r", 0, 1)));
}

TEST(RuleMatch, NoAlternativeMatchesIsNoRoute) {
  auto table = MustCompile(kTwoMatchesOneRule);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-c", "1")), NoRoute()));
}

TEST(RuleMatch, RuleWithoutMatchesMatchesEverything) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: b}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req()), RoutedByRule("ns/b", "ns/r", 0, 0)));
  EXPECT_TRUE(DecisionIs(
      Resolve(table, Req().Method("DELETE").Host("any.host:81").Path("/x/y?z=1").Header("a", "b")),
      RoutedByRule("ns/b", "ns/r", 0, 0)));
}

TEST(RuleMatch, LLMRouteRuleWithoutMatchesMatchesEverything) {
  auto table = MustCompile(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: llm, namespace: ns}
spec:
  inputSchema: {schema: OpenAI}
  rules:
  - backendRefs: [{name: b}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Method("POST").Path("/v1/chat/completions")),
                         RoutedByRule("ns/b", "ns/llm", 0, 0)));
}

TEST(RuleMatch, NoMatchingRuleIsNoRouteWithoutRoute) {
  auto table = MustCompile(OneMatchRoute("{path: {type: Exact, value: /a}}"));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Path("/b"));
  Expect want = NoRoute();
  want.via = Via::kNone;
  want.fallbacks = "[]";
  EXPECT_TRUE(DecisionIs(r, want));
  EXPECT_FALSE(r->rule_name.has_value());
  EXPECT_FALSE(r->reason.empty()) << "every non-routed status has a short reason";
}

TEST(RuleMatch, RoutedDecisionHasNoReason) {
  auto table = MustCompile(OneMatchRoute("{path: {type: Exact, value: /a}}"));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Path("/a"));
  ASSERT_TRUE(DecisionIs(r, RoutedByRule("ns/b", "ns/r", 0, 0)));
  EXPECT_TRUE(r->reason.empty()) << r->reason;
}

TEST(RuleMatch, RuleNameIsReported) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - name: first
    matches: [{path: {type: Exact, value: /a}}]
    backendRefs: [{name: a}]
  - matches: [{path: {type: Exact, value: /b}}]
    backendRefs: [{name: b}]
)");
  ASSERT_NE(table, nullptr);
  Expect named = RoutedByRule("ns/a", "ns/r", 0, 0);
  named.rule_name = "first";
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Path("/a")), named));
  Expect unnamed = RoutedByRule("ns/b", "ns/r", 1, 0);
  unnamed.rule_name = std::string(kNull);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Path("/b")), unnamed));
}

// --- Scanning the query string ------------------------------------------------------
// The query is scanned in blocks and most parameters are skipped by the length of their
// name, so every case here is also placed at every offset of a long query.

constexpr char kQueryScanRoute[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{queryParams: [{name: tenant, value: t3}]}]
    backendRefs: [{name: t3}]
  - matches: [{queryParams: [{name: tenant, value: 'a=b'}]}]
    backendRefs: [{name: equals}]
  - matches: [{queryParams: [{name: tenant, value: '%zz%'}]}]
    backendRefs: [{name: percent}]
  - matches: [{queryParams: [{name: 'a&b', value: '1'}]}]
    backendRefs: [{name: ampersand}]
)";

// The backend a request for `path` goes to, or "<none>".
std::string BackendForPath(const std::shared_ptr<const RoutingTable>& table, std::string path) {
  const Resolved r = Resolve(table, Req().Path(std::move(path)));
  return r->backend.has_value() ? NsName(*r->backend) : "<none>";
}

// Exactly `size` bytes of parameters that route nowhere, ending in '&' (nothing for 0),
// in one of kFillerStyles styles.
constexpr int kFillerStyles = 7;
std::string Filler(std::size_t size, int style) {
  if (size == 0) return "";
  static const char* const kUnits[kFillerStyles] = {
      "x",            // one long name without '='
      "k=v",          // then a long value
      "tenanx=1&",    // names of the configured name's length
      "a%20=%2",      // escapes and cut-off escapes
      "&",            // empty parameters
      "%74enan=1&",   // encoded names that decode to other lengths
      "%3Dtenant=1&",  // an encoded '=': the name is "=tenant"
  };
  std::string body;
  if (style == 1) {
    body = "k=" + std::string(size, 'v');
  } else {
    while (body.size() < size) body += kUnits[style];
  }
  body.resize(size - 1);
  return body + "&";
}

TEST(QueryScan, RoutedParameterAtEveryOffset) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  for (std::size_t offset = 0; offset <= 200; ++offset) {
    for (int style = 0; style < kFillerStyles; ++style) {
      const std::string before = "/q?" + Filler(offset, style);
      const std::string after = "&" + Filler(70, (style + 1) % kFillerStyles);
      SCOPED_TRACE(Cat("offset ", offset, " style ", style));
      EXPECT_EQ(BackendForPath(table, before + "tenant=t3"), "ns/t3");
      EXPECT_EQ(BackendForPath(table, before + "tenant=t3" + after), "ns/t3");
      EXPECT_EQ(BackendForPath(table, before + "%74enant=t%33" + after), "ns/t3");
      EXPECT_EQ(BackendForPath(table, before + "tenant=a=b" + after), "ns/equals");
      EXPECT_EQ(BackendForPath(table, before + "tenant=%zz%"), "ns/percent");
      EXPECT_EQ(BackendForPath(table, before + "a%26b=1" + after), "ns/ampersand");
      EXPECT_EQ(BackendForPath(table, before + "tenanx=t3" + after), "<none>");
      // The first value wins, wherever the second one is.
      EXPECT_EQ(BackendForPath(table, before + "tenant=t4" + after + "tenant=t3"), "<none>");
      EXPECT_EQ(BackendForPath(table, "/q?tenant=t3&" + Filler(offset, style) + "tenant=t4"),
                "ns/t3");
      EXPECT_EQ(BackendForPath(table, before + "tenant" + after + "tenant=t3"), "<none>");
    }
  }
}

TEST(QueryScan, EncodedNamesAreDecodedBeforeComparing) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendForPath(table, "/?%74enant=t3"), "ns/t3");
  EXPECT_EQ(BackendForPath(table, "/?tenan%74=t3"), "ns/t3");
  EXPECT_EQ(BackendForPath(table, "/?%74%65%6E%61%6e%74=%74%33"), "ns/t3");
  EXPECT_EQ(BackendForPath(table, "/?%74enant%3Dt3"), "<none>");  // the name is "tenant=t3"
  EXPECT_EQ(BackendForPath(table, "/?a%26b=1"), "ns/ampersand");
  EXPECT_EQ(BackendForPath(table, "/?a&b=1"), "<none>");            // "a" and "b"
  EXPECT_EQ(BackendForPath(table, "/?%zzenant=t3"), "<none>");      // "%zz" stays as written
  EXPECT_EQ(BackendForPath(table, "/?tenan%7=t3"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?tenant%=t3"), "<none>");       // a cut-off '%' stays
}

TEST(QueryScan, NamesOfTheConfiguredLengthAreCompared) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendForPath(table, "/?tenanx=t3"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?Tenant=t3"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?tenanx=t4&Tenant=t4&tenant=t3"), "ns/t3");
  EXPECT_EQ(BackendForPath(table, "/?tenants=t3&tenan=t3"), "<none>");
}

TEST(QueryScan, EmptyParametersAreSkipped) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendForPath(table, "/?&&tenant=t3&&"), "ns/t3");
  EXPECT_EQ(BackendForPath(table, "/?&&&"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?=t3&tenant=t3"), "ns/t3");  // an empty name
}

TEST(QueryScan, EqualsSignsAfterTheFirstBelongToTheValue) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendForPath(table, "/?tenant=a=b"), "ns/equals");
  EXPECT_EQ(BackendForPath(table, "/?tenant=a%3Db"), "ns/equals");
  EXPECT_EQ(BackendForPath(table, "/?tenant=a=b="), "<none>");
}

TEST(QueryScan, NameWithoutEqualsHasAnEmptyFirstValue) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendForPath(table, "/?tenant"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?tenant&tenant=t3"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?tenan&tenant=t3"), "ns/t3");
}

TEST(QueryScan, QueryEndingInAmpersandOrEmpty) {
  auto table = MustCompile(kQueryScanRoute);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendForPath(table, "/?tenant=t3&"), "ns/t3");
  EXPECT_EQ(BackendForPath(table, "/?tenant=t3%"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/?"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/q?"), "<none>");
  EXPECT_EQ(BackendForPath(table, "/"), "<none>");
}

TEST(QueryScan, ManyNamesOfOneLength) {
  // More names of one length than are compared one by one.
  std::string yaml = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
)";
  for (int i = 0; i < 9; ++i) {
    yaml += Cat("  - matches: [{queryParams: [{name: name-", i, ", value: v}]}]\n",
                "    backendRefs: [{name: b", i, "}]\n");
  }
  auto table = MustCompile(yaml);
  ASSERT_NE(table, nullptr);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(BackendForPath(table, Cat("/?name-x=v&name-", i, "=v")), Cat("ns/b", i));
    EXPECT_EQ(BackendForPath(table, Cat("/?%6eame-", i, "=v")), Cat("ns/b", i));
    EXPECT_EQ(BackendForPath(table, Cat("/?name-", i, "=w&name-", i, "=v")), "<none>");
  }
  EXPECT_EQ(BackendForPath(table, "/?name-7=v&name-2=v"), "ns/b2");  // rule order decides
  EXPECT_EQ(BackendForPath(table, "/?name-9=v"), "<none>");
}

}  // namespace
}  // namespace llmroute::test
