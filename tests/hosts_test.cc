// Which routes apply to a request's host (docs/routing.md#hosts).

#include <ostream>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

// One HTTPRoute ns/r for `hostnames` (a YAML flow sequence, or "" for none) whose only
// rule matches everything and goes to ns/b.
std::string RouteForHosts(std::string_view hostnames) {
  std::string spec = "spec:\n";
  if (!hostnames.empty()) spec += Cat("  hostnames: ", hostnames, "\n");
  return Cat(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
)",
             spec, R"(  rules:
  - backendRefs: [{name: b}]
)");
}

struct HostCase {
  std::string name;
  std::string hostnames;  // YAML flow sequence; "" for no hostnames
  std::string host;       // the request's host
  bool applies;
};

void PrintTo(const HostCase& c, std::ostream* os) { *os << c.name; }

class HostTest : public ::testing::TestWithParam<HostCase> {};

TEST_P(HostTest, RouteAppliesExactlyWhenHostMatches) {
  const HostCase& c = GetParam();
  auto table = MustCompile(RouteForHosts(c.hostnames));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Host(c.host).Path("/v1/chat/completions"));
  if (c.applies) {
    EXPECT_TRUE(DecisionIs(r, RoutedByRule("ns/b", "ns/r", 0, 0))) << "hostnames: " << c.hostnames;
  } else {
    EXPECT_TRUE(DecisionIs(r, NoRoute())) << "hostnames: " << c.hostnames;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Hosts, HostTest,
    ::testing::Values(
        HostCase{"NoHostnamesAppliesToAnyHost", "", "api.example.com", true},
        HostCase{"NoHostnamesAppliesToEmptyHost", "", "", true},
        HostCase{"NoHostnamesAppliesToHostWithPort", "", "10.0.0.1:8080", true},
        HostCase{"ExactHost", "[example.com]", "example.com", true},
        HostCase{"ExactHostPortStripped", "[example.com]", "example.com:8080", true},
        HostCase{"ExactHostCaseInsensitive", "[example.com]", "EXAMPLE.Com", true},
        HostCase{"ExactHostCaseInsensitiveWithPort", "[example.com]", "Example.COM:443", true},
        HostCase{"ExactHostRejectsSubdomain", "[example.com]", "www.example.com", false},
        HostCase{"ExactHostRejectsOtherHost", "[example.com]", "example.org", false},
        HostCase{"ExactHostRejectsLongerName", "[example.com]", "example.comx", false},
        HostCase{"ExactHostRejectsEmptyHost", "[example.com]", "", false},
        HostCase{"SecondHostnameOfRoute", "[example.org, example.com]", "example.com", true},
        HostCase{"WildcardOneMoreLabel", "['*.example.com']", "a.example.com", true},
        HostCase{"WildcardSeveralMoreLabels", "['*.example.com']", "a.b.example.com", true},
        HostCase{"WildcardCaseInsensitiveWithPort", "['*.example.com']", "A.Example.COM:8443",
                 true},
        HostCase{"WildcardRejectsBareDomain", "['*.example.com']", "example.com", false},
        HostCase{"WildcardRejectsBareDomainWithPort", "['*.example.com']", "example.com:80", false},
        HostCase{"WildcardNeedsLabelBoundary", "['*.example.com']", "badexample.com", false},
        HostCase{"WildcardRejectsOtherDomain", "['*.example.com']", "a.example.org", false},
        // A DNS name written with its root label: one trailing dot is dropped, two are not.
        HostCase{"ExactHostTrailingDot", "[example.com]", "example.com.", true},
        HostCase{"ExactHostTrailingDotAndPort", "[example.com]", "Example.com.:8443", true},
        HostCase{"ExactHostTwoTrailingDots", "[example.com]", "example.com..", false},
        HostCase{"WildcardTrailingDot", "['*.example.com']", "a.example.com.", true},
        HostCase{"WildcardTrailingDotStillNeedsALabel", "['*.example.com']", "example.com.", false}),
    [](const ::testing::TestParamInfo<HostCase>& info) { return info.param.name; });

// --- Most specific hostname wins -----------------------------------------------------

// ns/wild (*.example.com) has a higher-precedence rule (Exact path) than ns/exact
// (foo.example.com, PathPrefix /v1); ns/catchall has no hostnames and matches anything.
constexpr char kSpecificity[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild, namespace: ns}
spec:
  hostnames: ['*.example.com']
  rules:
  - matches: [{path: {type: Exact, value: /v1/chat}}]
    backendRefs: [{name: wild-exact-path}]
  - backendRefs: [{name: wild-any}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: exact, namespace: ns}
spec:
  hostnames: [foo.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: exact-host}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: longer-wild, namespace: ns}
spec:
  hostnames: ['*.bar.example.com']
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: longer-wild}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: catchall, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: catchall}]
)";

TEST(Hosts, ExactHostnameBeatsWildcardEvenWithWeakerRule) {
  auto table = MustCompile(kSpecificity);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("foo.example.com").Path("/v1/chat")),
                         RoutedByRule("ns/exact-host", "ns/exact", 0, 0)));
}

TEST(Hosts, LessSpecificRoutesDoNotApply) {
  // foo.example.com: only ns/exact applies; its rule does not match /other, and neither
  // the wildcard route nor the catch-all may step in.
  auto table = MustCompile(kSpecificity);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("foo.example.com").Path("/other")), NoRoute()));
}

TEST(Hosts, WildcardAppliesToOtherSubdomains) {
  auto table = MustCompile(kSpecificity);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("baz.example.com").Path("/v1/chat")),
                         RoutedByRule("ns/wild-exact-path", "ns/wild", 0, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("baz.example.com").Path("/other")),
                         RoutedByRule("ns/wild-any", "ns/wild", 1, 0)));
}

TEST(Hosts, LongerWildcardBeatsShorter) {
  auto table = MustCompile(kSpecificity);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("x.bar.example.com").Path("/v1/chat")),
                         RoutedByRule("ns/longer-wild", "ns/longer-wild", 0, 0)));
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Host("x.bar.example.com").Path("/other")), NoRoute()));
}

TEST(Hosts, LongerWildcardStillNeedsAnExtraLabel) {
  // bar.example.com does not match *.bar.example.com, so *.example.com applies.
  auto table = MustCompile(kSpecificity);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("bar.example.com").Path("/v1/x")),
                         RoutedByRule("ns/wild-any", "ns/wild", 1, 0)));
}

TEST(Hosts, NoHostnameRouteAppliesOnlyWhenNoHostnameMatches) {
  auto table = MustCompile(kSpecificity);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("example.com").Path("/v1/chat")),
                         RoutedByRule("ns/catchall", "ns/catchall", 0, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("other.org:8080").Path("/")),
                         RoutedByRule("ns/catchall", "ns/catchall", 0, 0)));
}

TEST(Hosts, AnyHostnameBeatsNone) {
  // The hostname route matches the host, so the catch-all route does not apply even
  // though only it has a rule for /b.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: named, namespace: ns}
spec:
  hostnames: ['*.com']
  rules:
  - matches: [{path: {type: Exact, value: /a}}]
    backendRefs: [{name: named}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: catchall, namespace: ns, creationTimestamp: "2000-01-01T00:00:00Z"}
spec:
  rules:
  - matches: [{path: {type: Exact, value: /b}}]
    backendRefs: [{name: catchall}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("example.com").Path("/a")),
                         RoutedByRule("ns/named", "ns/named", 0, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("example.com").Path("/b")), NoRoute()));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("example.org").Path("/b")),
                         RoutedByRule("ns/catchall", "ns/catchall", 0, 0)));
}

TEST(Hosts, SpecificityIsPerRouteMostSpecificHostname) {
  // ns/both lists the exact host and the wildcard; ns/wild only the wildcard. For
  // foo.example.com only ns/both applies; for bar.example.com both do (equally specific),
  // and precedence decides between them.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: ns}
spec:
  hostnames: ['*.example.com', foo.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: both}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild, namespace: ns}
spec:
  hostnames: ['*.example.com']
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: wild}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("foo.example.com").Path("/v1/x")),
                         RoutedByRule("ns/both", "ns/both", 0, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("bar.example.com").Path("/v1/x")),
                         RoutedByRule("ns/wild", "ns/wild", 0, 0)));
}

TEST(Hosts, RoutesWithSameHostnameBothApply) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: one, namespace: ns}
spec:
  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: one}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: two, namespace: ns}
spec:
  schema: {name: OpenAI}
  hostnames: [example.com]
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m}]}]
    backendRefs: [{name: two}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("example.com").Path("/a")),
                         RoutedByRule("ns/one", "ns/one", 0, 0)));
  EXPECT_TRUE(DecisionIs(
      Resolve(table, Req().Host("example.com:80").Path("/b").Header("x-ai-eg-model", "m")),
      RoutedByRule("ns/two", "ns/two", 0, 0)));
}

TEST(Hosts, NoMatchingHostAndNoCatchAllIsNoRoute) {
  auto no_catchall = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  hostnames: [example.com, '*.example.net']
  rules:
  - backendRefs: [{name: b}]
)");
  ASSERT_NE(no_catchall, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(no_catchall, Req().Host("example.org").Path("/")), NoRoute()));
  EXPECT_TRUE(DecisionIs(Resolve(no_catchall, Req().Host("example.net").Path("/")), NoRoute()));
  EXPECT_TRUE(DecisionIs(Resolve(no_catchall, Req().Path("/")), NoRoute()));
}

}  // namespace
}  // namespace llmroute::test
