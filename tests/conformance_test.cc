// Gateway API conformance expectations (kubernetes-sigs/gateway-api, conformance/tests):
// the requests and the backends they must reach, for HTTPRouteHeaderMatching,
// HTTPRouteMatching, HTTPRouteMatchingAcrossRoutes, HTTPRoutePathMatchOrder,
// HTTPRouteExactPathMatching, HTTPRouteQueryParamMatching, HTTPRouteMethodMatching and
// HTTPRouteWeight. Configs are HTTPRoutes in namespace `infra` with backends v1, v2, v3.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

struct ConformanceCase {
  std::string name;
  std::string method;
  std::string host;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string backend;  // "v1", "v2", "v3"; "" for 404
};

void ExpectCases(const char* config, const std::vector<ConformanceCase>& cases) {
  auto table = MustCompile(config);
  ASSERT_NE(table, nullptr);
  for (const ConformanceCase& c : cases) {
    SCOPED_TRACE(c.name);
    Req req = Req().Method(c.method).Host(c.host).Path(c.path);
    for (const auto& [name, value] : c.headers) req.AddHeader(name, value);
    Resolved r = Resolve(table, std::move(req));
    if (c.backend.empty()) {
      EXPECT_TRUE(DecisionIs(r, NoRoute()));
    } else {
      Expect e = RoutedTo(Cat("infra/", c.backend));
      e.via = Via::kRule;
      EXPECT_TRUE(DecisionIs(r, e));
    }
  }
}

// --- HTTPRouteHeaderMatching ------------------------------------------------------------

constexpr char kHeaderMatching[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: header-matching, namespace: infra}
spec:
  rules:
  - matches:
    - headers: [{name: version, value: one}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - headers: [{name: version, value: two}]
    backendRefs: [{name: v2, port: 8080}]
  - matches:
    - headers: [{name: version, value: two}, {name: color, value: orange}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - headers: [{name: color, value: blue}]
    - headers: [{name: color, value: green}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - headers: [{name: color, value: red}]
    - headers: [{name: color, value: yellow}]
    backendRefs: [{name: v2, port: 8080}]
)";

TEST(Conformance, HTTPRouteHeaderMatching) {
  ExpectCases(
      kHeaderMatching,
      {
          {"VersionOne", "GET", "", "/", {{"Version", "one"}}, "v1"},
          {"VersionTwo", "GET", "", "/", {{"Version", "two"}}, "v2"},
          {"VersionTwoColorOrange",
           "GET",
           "",
           "/",
           {{"Version", "two"}, {"Color", "orange"}},
           "v1"},
          // Both rule 1 and rule 3 hold with one header each: rule order decides.
          {"VersionTwoColorBlue", "GET", "", "/", {{"Version", "two"}, {"Color", "blue"}}, "v2"},
          {"ColorOrangeAlone", "GET", "", "/", {{"Color", "orange"}}, ""},
          {"OtherHeader", "GET", "", "/", {{"Some-Other-Header", "one"}}, ""},
          {"ColorBlue", "GET", "", "/", {{"Color", "blue"}}, "v1"},
          {"ColorGreen", "GET", "", "/", {{"Color", "green"}}, "v1"},
          {"ColorRed", "GET", "", "/", {{"Color", "red"}}, "v2"},
          {"ColorYellow", "GET", "", "/", {{"Color", "yellow"}}, "v2"},
          {"ColorPurple", "GET", "", "/", {{"Color", "purple"}}, ""},
      });
}

// --- HTTPRouteMatching ----------------------------------------------------------------------

constexpr char kMatching[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: matching, namespace: infra}
spec:
  rules:
  - matches:
    - path: {type: PathPrefix, value: /}
    - headers: [{name: version, value: one}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /v2}
    - headers: [{name: version, value: two}]
    backendRefs: [{name: v2, port: 8080}]
)";

TEST(Conformance, HTTPRouteMatching) {
  ExpectCases(kMatching, {
                             {"Root", "GET", "", "/", {}, "v1"},
                             {"Example", "GET", "", "/example", {}, "v1"},
                             {"RootVersionOne", "GET", "", "/", {{"Version", "one"}}, "v1"},
                             {"V2", "GET", "", "/v2", {}, "v2"},
                             {"V2Example", "GET", "", "/v2/example", {}, "v2"},
                             {"RootVersionTwo", "GET", "", "/", {{"Version", "two"}}, "v2"},
                             {"V2Slash", "GET", "", "/v2/", {}, "v2"},
                             {"V2ExampleNotASegment", "GET", "", "/v2example", {}, "v1"},
                             {"V2NotAtStart", "GET", "", "/foo/v2/example", {}, "v1"},
                         });
}

// --- HTTPRouteMatchingAcrossRoutes ------------------------------------------------------------

constexpr char kAcrossRoutes[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: matching-part1, namespace: infra}
spec:
  hostnames: [example.com, example.net]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /}
    - headers: [{name: version, value: one}]
    backendRefs: [{name: v1, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: matching-part2, namespace: infra}
spec:
  hostnames: [example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /v2}
    - headers: [{name: version, value: two}]
    backendRefs: [{name: v2, port: 8080}]
)";

TEST(Conformance, HTTPRouteMatchingAcrossRoutes) {
  ExpectCases(
      kAcrossRoutes,
      {
          {"ComRoot", "GET", "example.com", "/", {}, "v1"},
          {"ComExample", "GET", "example.com", "/example", {}, "v1"},
          {"NetExample", "GET", "example.net", "/example", {}, "v1"},
          {"ComExampleVersionOne", "GET", "example.com", "/example", {{"Version", "one"}}, "v1"},
          {"ComV2", "GET", "example.com", "/v2", {}, "v2"},
          // The /v2 rule belongs to a route for example.com only.
          {"NetV2", "GET", "example.net", "/v2", {}, "v1"},
          {"ComV2Example", "GET", "example.com", "/v2/example", {}, "v2"},
          {"ComRootVersionTwo", "GET", "example.com", "/", {{"Version", "two"}}, "v2"},
          {"OtherHost", "GET", "example.org", "/", {}, ""},
      });
}

// --- HTTPRoutePathMatchOrder ------------------------------------------------------------------

constexpr char kPathMatchOrder[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: path-matching-order, namespace: infra}
spec:
  rules:
  - matches: [{path: {type: Exact, value: /match}}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{path: {type: Exact, value: /match/exact}}]
    backendRefs: [{name: v2, port: 8080}]
  - matches: [{path: {type: Exact, value: /match/exact/one}}]
    backendRefs: [{name: v3, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /match/}}]
    backendRefs: [{name: v3, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /match/prefix/}}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /match/prefix/one}}]
    backendRefs: [{name: v2, port: 8080}]
)";

TEST(Conformance, HTTPRoutePathMatchOrder) {
  ExpectCases(kPathMatchOrder, {
                                   {"ExactThree", "GET", "", "/match/exact/one", {}, "v3"},
                                   {"ExactTwo", "GET", "", "/match/exact", {}, "v2"},
                                   {"ExactOne", "GET", "", "/match", {}, "v1"},
                                   {"LongestPrefix", "GET", "", "/match/prefix/one/any", {}, "v2"},
                                   {"MiddlePrefix", "GET", "", "/match/prefix/any", {}, "v1"},
                                   {"ShortPrefix", "GET", "", "/match/any", {}, "v3"},
                               });
}

// --- HTTPRouteExactPathMatching ---------------------------------------------------------------

constexpr char kExactPath[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: exact-matching, namespace: infra}
spec:
  rules:
  - matches: [{path: {type: Exact, value: /one}}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{path: {type: Exact, value: /two}}]
    backendRefs: [{name: v2, port: 8080}]
)";

TEST(Conformance, HTTPRouteExactPathMatching) {
  ExpectCases(kExactPath, {
                              {"One", "GET", "", "/one", {}, "v1"},
                              {"Two", "GET", "", "/two", {}, "v2"},
                              {"Root", "GET", "", "/", {}, ""},
                              {"OneSubpath", "GET", "", "/one/example", {}, ""},
                              {"TwoSlash", "GET", "", "/two/", {}, ""},
                              {"TwoCapitalized", "GET", "", "/Two", {}, ""},
                          });
}

// --- HTTPRouteQueryParamMatching ------------------------------------------------------------

constexpr char kQueryParams[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: query-param-matching, namespace: infra}
spec:
  rules:
  - matches:
    - queryParams: [{name: animal, value: whale}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - queryParams: [{name: animal, value: dolphin}]
    backendRefs: [{name: v2, port: 8080}]
  - matches:
    - queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]
    - queryParams: [{name: ANIMAL, value: Whale}]
    backendRefs: [{name: v3, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path1}
      queryParams: [{name: animal, value: whale}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - headers: [{name: version, value: one}]
      queryParams: [{name: animal, value: whale}]
    backendRefs: [{name: v2, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path2}
      headers: [{name: version, value: two}]
      queryParams: [{name: animal, value: whale}]
    backendRefs: [{name: v3, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path3}
      queryParams: [{name: animal, value: shark}]
    - path: {type: PathPrefix, value: /path4}
      headers: [{name: version, value: three}]
      queryParams: [{name: animal, value: kraken}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{queryParams: [{name: animal, value: hydra}]}]
    backendRefs: [{name: v2, port: 8080}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: v3, port: 8080}]
)";

TEST(Conformance, HTTPRouteQueryParamMatching) {
  ExpectCases(
      kQueryParams,
      {
          {"Whale", "GET", "", "/?animal=whale", {}, "v1"},
          {"Dolphin", "GET", "", "/?animal=dolphin", {}, "v2"},
          {"DolphinBlue", "GET", "", "/?animal=dolphin&color=blue", {}, "v3"},
          {"UppercaseNameAndValue", "GET", "", "/?ANIMAL=Whale", {}, "v3"},
          {"WhaleOtherParam", "GET", "", "/?animal=whale&otherparam=irrelevant", {}, "v1"},
          {"DolphinYellow", "GET", "", "/?animal=dolphin&color=yellow", {}, "v2"},
          {"ColorOnly", "GET", "", "/?color=blue", {}, ""},
          {"Dog", "GET", "", "/?animal=dog", {}, ""},
          {"WhaleDolphin", "GET", "", "/?animal=whaledolphin", {}, ""},
          {"NoQuery", "GET", "", "/", {}, ""},
          {"Path1Whale", "GET", "", "/path1?animal=whale", {}, "v1"},
          {"VersionOneWhale", "GET", "", "/?animal=whale", {{"version", "one"}}, "v2"},
          {"Path2VersionTwoWhale", "GET", "", "/path2?animal=whale", {{"version", "two"}}, "v3"},
          {"Path3Shark", "GET", "", "/path3?animal=shark", {}, "v1"},
          {"Path4VersionThreeKraken",
           "GET",
           "",
           "/path4?animal=kraken",
           {{"version", "three"}},
           "v1"},
          {"SharkWithoutPath", "GET", "", "/?animal=shark", {}, ""},
          {"KrakenWithoutHeader", "GET", "", "/path4?animal=kraken", {}, ""},
          {"Path5BeatsQuery", "GET", "", "/path5?animal=hydra", {}, "v1"},
          {"HeaderBeatsQuery", "GET", "", "/?animal=hydra", {{"version", "four"}}, "v3"},
      });
}

// --- HTTPRouteMethodMatching ----------------------------------------------------------------

constexpr char kMethods[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: method-matching, namespace: infra}
spec:
  rules:
  - matches: [{method: POST}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{method: GET}]
    backendRefs: [{name: v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path1}, method: GET}]
    backendRefs: [{name: v1, port: 8080}]
  - matches:
    - headers: [{name: version, value: one}]
      method: PUT
    backendRefs: [{name: v2, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path2}
      headers: [{name: version, value: two}]
      method: POST
    backendRefs: [{name: v3, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path3}
      method: PATCH
    - path: {type: PathPrefix, value: /path4}
      headers: [{name: version, value: three}]
      method: DELETE
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: v1, port: 8080}]
  - matches: [{method: PATCH}]
    backendRefs: [{name: v2, port: 8080}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: v3, port: 8080}]
)";

TEST(Conformance, HTTPRouteMethodMatching) {
  ExpectCases(kMethods,
              {
                  {"Post", "POST", "", "/", {}, "v1"},
                  {"Get", "GET", "", "/", {}, "v2"},
                  {"Head", "HEAD", "", "/", {}, ""},
                  {"Path1Get", "GET", "", "/path1", {}, "v1"},
                  {"VersionOnePut", "PUT", "", "/", {{"version", "one"}}, "v2"},
                  {"Path2VersionTwoPost", "POST", "", "/path2", {{"version", "two"}}, "v3"},
                  {"Path3Patch", "PATCH", "", "/path3", {}, "v1"},
                  {"Path4VersionThreeDelete", "DELETE", "", "/path4", {{"version", "three"}}, "v1"},
                  {"PutWithoutHeader", "PUT", "", "/", {}, ""},
                  {"DeleteWithoutHeader", "DELETE", "", "/path4", {}, ""},
                  {"Path5BeatsMethod", "PATCH", "", "/path5", {}, "v1"},
                  {"MethodBeatsHeader", "PATCH", "", "/", {{"version", "four"}}, "v2"},
              });
}

// --- HTTPRouteWeight --------------------------------------------------------------------------

TEST(Conformance, HTTPRouteWeight) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: weighted-backends, namespace: infra}
spec:
  rules:
  - backendRefs:
    - {name: v1, port: 8080, weight: 70}
    - {name: v2, port: 8080, weight: 30}
    - {name: v3, port: 8080, weight: 0}
)");
  ASSERT_NE(table, nullptr);
  // The conformance suite allows 5 points of error on live traffic; with 100000 distinct
  // sequential entropies the split must be within 1 point (sigma is about 0.15 point).
  constexpr int kRequests = 100000;
  std::map<std::string, int> counts;
  for (uint64_t entropy = 0; entropy < kRequests; ++entropy) {
    Resolved r = Resolve(table, Req().Path("/").Entropy(entropy));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << Describe(*r);
    ++counts[NsName(*r->backend)];
  }
  EXPECT_NEAR(counts["infra/v1"] / static_cast<double>(kRequests), 0.70, 0.01);
  EXPECT_NEAR(counts["infra/v2"] / static_cast<double>(kRequests), 0.30, 0.01);
  EXPECT_EQ(counts["infra/v3"], 0);
}

}  // namespace
}  // namespace llmroute::test
