// The headers the gateway owns, and the model a proxy sets upstream.

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

std::vector<std::string> Owned(const RoutingTable& table) {
  return std::vector<std::string>(table.owned_headers().begin(), table.owned_headers().end());
}

// Route `a` enables X-Pick-A; `b` (older) enables the default name; `c` has the header off.
constexpr std::string_view kThreeRoutes = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: a, creationTimestamp: "2024-01-02T00:00:00Z"}
spec:
  standardRoutingHeader: {enabled: true, headerName: X-Pick-A}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m1}]}]
    backendRefs: [{name: one}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: b, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  standardRoutingHeader: {enabled: true}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m2}]}]
    backendRefs: [{name: two, modelNameOverride: m2-large}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: c}
spec:
  standardRoutingHeader: {enabled: false, headerName: x-not-owned}
  rules:
  - matches: [{headers: [{name: x-other, value: v}]}]
    backendRefs: [{name: three}]
)";

TEST(OwnedHeaders, ModelHeaderThenEnabledStandardHeadersInRouteOrder) {
  auto table = MustCompile(kThreeRoutes);
  ASSERT_NE(table, nullptr);
  // Route order: c (no timestamp: oldest), b, a. c's disabled header is not owned, nor
  // is a header that is only matched on.
  EXPECT_EQ(Owned(*table),
            (std::vector<std::string>{"x-ai-eg-model", "x-ai-gateway-backend", "x-pick-a"}));
}

TEST(OwnedHeaders, OnlyTheModelHeaderWhenNothingIsEnabled) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  rules: [{backendRefs: [{name: web}]}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(Owned(*table), (std::vector<std::string>{"x-ai-eg-model"}));
}

TEST(OwnedHeaders, CompileDefaultsAreOwnedLowerCasedOnce) {
  CompileOptions options;
  options.model_header = "X-Model";
  options.standard_header.enabled = true;
  options.standard_header.header_name = "X-Pick-A";  // the same name route a enables
  auto table = MustCompile(kThreeRoutes, options);
  ASSERT_NE(table, nullptr);
  // The default is owned even though route b names the default name of the options.
  EXPECT_EQ(Owned(*table),
            (std::vector<std::string>{"x-model", "x-pick-a", "x-ai-gateway-backend"}));
}

TEST(UpstreamModel, TheOverrideWhenTheBackendRefHasOne) {
  auto table = MustCompile(kThreeRoutes);
  ASSERT_NE(table, nullptr);
  Resolved overridden = Resolve(table, Req().Header("x-ai-eg-model", "m2"));
  ASSERT_EQ(overridden->status, DecisionStatus::kRouted);
  EXPECT_EQ(UpstreamModel(*overridden), std::optional<std::string_view>("m2-large"));

  Resolved plain = Resolve(table, Req().Header("x-ai-eg-model", "m1"));
  ASSERT_EQ(plain->status, DecisionStatus::kRouted);
  EXPECT_EQ(UpstreamModel(*plain), std::optional<std::string_view>("m1"));
}

TEST(UpstreamModel, TheBodysModelReplacesTheClientsHeader) {
  auto table = MustCompile(kThreeRoutes);
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Header("x-ai-eg-model", "m2").Body(R"({"model": "m1"})"));
  ASSERT_EQ(r->status, DecisionStatus::kRouted);
  EXPECT_EQ(NsName(*r->backend), "default/one");
  EXPECT_EQ(UpstreamModel(*r), std::optional<std::string_view>("m1"));
}

TEST(UpstreamModel, NoneWithoutAModel) {
  auto table = MustCompile(kThreeRoutes);
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Header("x-other", "v"));
  ASSERT_EQ(r->status, DecisionStatus::kRouted);
  EXPECT_EQ(UpstreamModel(*r), std::nullopt);
  // A standard-header decision carries the client's model, never an override.
  Resolved picked =
      Resolve(table, Req().Header("x-ai-gateway-backend", "two").Header("x-ai-eg-model", "m9"));
  ASSERT_EQ(picked->status, DecisionStatus::kRouted);
  EXPECT_EQ(picked->via, Via::kStandardHeader);
  EXPECT_EQ(UpstreamModel(*picked), std::optional<std::string_view>("m9"));
}

}  // namespace
}  // namespace llmroute::test
