// Envoy AI Gateway's backendRefs as its own manifests write them: one backend listed more
// than once (merged by identity, or distinct choices), InferencePool references, and the
// header and body mutations that travel with the chosen entry.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute {
namespace {

using test::CompileYaml;
using test::MustCompile;
using test::Req;
using test::Resolve;

std::string Route(std::string_view refs) {
  return test::Cat(R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: m}]}]
      backendRefs:
)", refs);
}

// Chosen backend and override for each entropy in [0, n).
std::vector<std::string> Choices(const std::shared_ptr<const RoutingTable>& table, uint64_t n) {
  std::vector<std::string> out;
  for (uint64_t e = 0; e < n; ++e) {
    auto r = Resolve(table, Req().Header("x-ai-eg-model", "m").Entropy(e));
    out.push_back(test::Render(r->backend) + "#" + test::Render(r->model_override));
  }
  return out;
}

std::vector<std::string> Warnings(const RoutingTable& table) {
  std::vector<std::string> out;
  for (const Diagnostic& d : table.warnings()) out.push_back(d.ToString());
  return out;
}

TEST(RepeatedBackendRefs, SameIdentityMergesWeightsWithAWarningAtTheLaterEntry) {
  auto repeated = MustCompile(Route(R"(        - {name: a, weight: 1}
        - {name: b, weight: 1}
        - {name: a, weight: 2}
)"));
  auto merged = MustCompile(Route(R"(        - {name: a, weight: 3}
        - {name: b, weight: 1}
)"));
  ASSERT_NE(repeated, nullptr);
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(Choices(repeated, 2000), Choices(merged, 2000));
  EXPECT_EQ(Warnings(*repeated),
            std::vector<std::string>{
                "test.yaml:10:11: warning: spec.rules[0].backendRefs[2]: backend \"ns/a\" at "
                "priority 0 is already listed at line 8: merged into that entry, weights added "
                "(its other fields are ignored)"});
  EXPECT_TRUE(Warnings(*merged).empty());
  for (uint64_t e = 0; e < 20; ++e) {  // a merged identity appears once
    auto r = Resolve(repeated, Req().Header("x-ai-eg-model", "m").Entropy(e));
    EXPECT_EQ(test::RenderFallbacks(*r), test::Render(r->backend) == "ns/a" ? "[ns/b]" : "[ns/a]");
  }
}

TEST(RepeatedBackendRefs, WeightZeroEntriesTakeNoPartAndNeedNoWarning) {
  auto table = MustCompile(Route(R"(        - {name: a, weight: 0}
        - {name: a, weight: 0}
        - {name: a, weight: 0}
)"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(Warnings(*table).empty());
  auto r = Resolve(table, Req().Header("x-ai-eg-model", "m"));
  EXPECT_EQ(r->status, DecisionStatus::kNoBackend);

  auto mixed = MustCompile(Route(R"(        - {name: a, weight: 0}
        - {name: b}
        - {name: a, weight: 0}
)"));
  ASSERT_NE(mixed, nullptr);
  EXPECT_TRUE(Warnings(*mixed).empty());
  r = Resolve(mixed, Req().Header("x-ai-eg-model", "m").Entropy(5));
  EXPECT_EQ(test::Render(r->backend), "ns/b");
  EXPECT_EQ(test::RenderFallbacks(*r), "[]");
}

TEST(RepeatedBackendRefs, OverridesOfOneBackendAreAnABSplit) {
  auto table = MustCompile(Route(R"(        - {name: a, modelNameOverride: m-small}
        - {name: a, weight: 3, modelNameOverride: m-large}
)"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(Warnings(*table).empty());
  std::map<std::string, int> counts;
  for (const std::string& choice : Choices(table, 4000)) ++counts[choice];
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_NEAR(counts["ns/a#m-small"], 1000, 150);
  EXPECT_NEAR(counts["ns/a#m-large"], 3000, 150);
  // The other name of the same backend is the retry.
  auto r = Resolve(table, Req().Header("x-ai-eg-model", "m").Entropy(0));
  EXPECT_EQ(test::RenderFallbacks(*r), "[ns/a]");
}

TEST(RepeatedBackendRefs, OneBackendAtASecondPriorityWithACheaperModel) {
  auto table = MustCompile(Route(R"(        - {name: a}
        - {name: b}
        - {name: a, priority: 1, modelNameOverride: m-mini}
        - {name: a, priority: 1, modelNameOverride: m-mini}
)"));
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(Warnings(*table).size(), 1u);
  EXPECT_NE(Warnings(*table)[0].find("test.yaml:11:11: warning: spec.rules[0].backendRefs[3]: "
                                     "backend \"ns/a\" at priority 1 with modelNameOverride "
                                     "\"m-mini\" is already listed at line 10"),
            std::string::npos)
      << Warnings(*table)[0];
  for (uint64_t e = 0; e < 50; ++e) {
    auto r = Resolve(table, Req().Header("x-ai-eg-model", "m").Entropy(e));
    const std::string chosen = test::Render(r->backend);
    // The rest of the tier, then a's second identity once: never the chosen one again.
    EXPECT_EQ(test::RenderFallbacks(*r), chosen == "ns/a" ? "[ns/b, ns/a]" : "[ns/a, ns/a]");
    EXPECT_FALSE(r->model_override.has_value());
  }
}

TEST(RepeatedBackendRefs, RulesOnlyAllowlistNamesWeightZeroBackends) {
  auto table = MustCompile(Route(R"(        - {name: a, weight: 0}
        - {name: a, weight: 0}
        - {name: b}
  standardRoutingHeader: {enabled: true}
)"));
  ASSERT_NE(table, nullptr);
  auto r = Resolve(table, Req().Header("x-ai-gateway-backend", "a"));
  EXPECT_EQ(r->status, DecisionStatus::kRouted);
  EXPECT_EQ(r->via, Via::kStandardHeader);
  EXPECT_EQ(test::Render(r->backend), "ns/a");
  EXPECT_EQ(r->mutations, nullptr);
}

TEST(BackendRefKind, InferencePoolIsRoutedAndReported) {
  auto table = MustCompile(Route(R"(        - {name: pool, group: inference.networking.k8s.io, kind: InferencePool}
  standardRoutingHeader: {enabled: true}
)"));
  ASSERT_NE(table, nullptr);
  auto r = Resolve(table, Req().Header("x-ai-eg-model", "m"));
  EXPECT_EQ(test::Render(r->backend), "ns/pool");
  EXPECT_EQ(r->backend_kind, BackendRefKind::kInferencePool);
  // Named by the standard header, the backend is still the pool.
  r = Resolve(table, Req().Header("x-ai-gateway-backend", "pool"));
  EXPECT_EQ(r->via, Via::kStandardHeader);
  EXPECT_EQ(r->backend_kind, BackendRefKind::kInferencePool);
  // Empty group and kind are absent: a plain backend.
  auto plain = MustCompile(Route("        - {name: b, group: \"\", kind: \"\"}\n"));
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(Resolve(plain, Req().Header("x-ai-eg-model", "m"))->backend_kind, BackendRefKind::kBackend);
}

TEST(BackendMutations, TravelWithTheChosenEntryOnly) {
  auto table = MustCompile(Route(R"(        - name: a
          headerMutation: {set: [{name: X-Tier, value: "gold plated"}], remove: [x-debug]}
          bodyMutation: {set: [{path: opts, value: '{"k": [1, 2]}'}, {path: t, value: "0.5"}]}
        - {name: b}
)"));
  ASSERT_NE(table, nullptr);
  int with = 0, without = 0;
  for (uint64_t e = 0; e < 40; ++e) {
    auto r = Resolve(table, Req().Header("x-ai-eg-model", "m").Entropy(e));
    if (test::Render(r->backend) == "ns/b") {
      EXPECT_EQ(r->mutations, nullptr);
      ++without;
      continue;
    }
    ++with;
    ASSERT_NE(r->mutations, nullptr);
    const BackendMutations& m = *r->mutations;
    ASSERT_EQ(m.header_set.size(), 1u);
    EXPECT_EQ(m.header_set[0].name, "X-Tier");
    EXPECT_EQ(m.header_set[0].value, "gold plated");
    ASSERT_EQ(m.header_remove.size(), 1u);
    EXPECT_EQ(m.header_remove[0], "x-debug");
    ASSERT_EQ(m.body_set.size(), 2u);
    EXPECT_EQ(m.body_set[0].path, "opts");
    EXPECT_EQ(m.body_set[0].value, R"({"k": [1, 2]})");
    EXPECT_EQ(m.body_set[1].value, "0.5");
    EXPECT_TRUE(m.body_remove.empty());
  }
  EXPECT_GT(with, 0);
  EXPECT_GT(without, 0);
}

struct BadRef {
  const char* name;
  const char* refs;
  const char* error;
};

class BadBackendRefTest : public testing::TestWithParam<BadRef> {};

TEST_P(BadBackendRefTest, NamesFileLineColumnFieldAndCause) {
  auto table = CompileYaml(Route(GetParam().refs));
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(std::string(table.status().message()), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    BadRefs, BadBackendRefTest,
    testing::ValuesIn(std::vector<BadRef>{
        {"OtherGroup", "        - {name: a, group: gateway.envoyproxy.io, kind: Backend}\n",
         "test.yaml:8:28: error: spec.rules[0].backendRefs[0].group: unsupported group "
         "\"gateway.envoyproxy.io\": a backendRef names a backend (no group and kind) or an "
         "InferencePool of inference.networking.k8s.io"},
        {"OtherKind", "        - {name: a, group: inference.networking.k8s.io, kind: Service}\n",
         "test.yaml:8:63: error: spec.rules[0].backendRefs[0].kind: unsupported kind "
         "\"Service\": a backendRef names a backend (no group and kind) or an InferencePool of "
         "inference.networking.k8s.io"},
        {"KindWithoutGroup", "        - {name: a, kind: InferencePool}\n",
         "test.yaml:8:27: error: spec.rules[0].backendRefs[0].kind: kind InferencePool needs "
         "group: inference.networking.k8s.io"},
        {"GroupWithoutKind", "        - {name: a, group: inference.networking.k8s.io}\n",
         "test.yaml:8:28: error: spec.rules[0].backendRefs[0].group: group needs kind: "
         "InferencePool"},
        {"PoolAndBackendOfOneName",
         "        - {name: a}\n        - {name: a, group: inference.networking.k8s.io, kind: InferencePool, priority: 1}\n",
         "test.yaml:9:63: error: spec.rules[0].backendRefs[1].kind: backend \"ns/a\" is an "
         "InferencePool here but a backend at test.yaml:8:11"},
        {"HeaderNameNotAToken", "        - {name: a, headerMutation: {set: [{name: \"x y\", value: v}]}}\n",
         "test.yaml:8:51: error: spec.rules[0].backendRefs[0].headerMutation.set[0].name: invalid "
         "header name \"x y\": not an HTTP token"},
        {"HeaderValueWithNewline",
         "        - {name: a, headerMutation: {set: [{name: x, value: \"a\\nb\"}]}}\n",
         "test.yaml:8:61: error: spec.rules[0].backendRefs[0].headerMutation.set[0].value: invalid "
         "header value: control characters (other than tab) are not allowed"},
        {"HeaderSetAndRemoved",
         "        - {name: a, headerMutation: {set: [{name: X-A, value: v}], remove: [x-a]}}\n",
         "test.yaml:8:77: error: spec.rules[0].backendRefs[0].headerMutation.remove[0]: header "
         "\"x-a\" is already named in this headerMutation"},
        {"TooManyHeaders",
         "        - name: a\n          headerMutation:\n            remove: [h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16]\n",
         "test.yaml:10:92: error: spec.rules[0].backendRefs[0].headerMutation.remove[16]: too many "
         "entries in headerMutation.remove: at most 16"},
        {"BodyValueNotJson", "        - {name: a, bodyMutation: {set: [{path: t, value: scale}]}}\n",
         "test.yaml:8:59: error: spec.rules[0].backendRefs[0].bodyMutation.set[0].value: not a "
         "JSON value: The JSON document has an improper structure: missing or superfluous "
         "commas, braces, missing keys, etc."},
        {"BodyPathEmpty", "        - {name: a, bodyMutation: {remove: [\"\"]}}\n",
         "test.yaml:8:45: error: spec.rules[0].backendRefs[0].bodyMutation.remove[0]: empty body "
         "field name"},
        {"BodyValueNotAString", "        - {name: a, bodyMutation: {set: [{path: num, value: 42}]}}\n",
         "test.yaml:8:61: error: spec.rules[0].backendRefs[0].bodyMutation.set[0].value: "
         "expected a string, got integer (quote it to make it a string)"},
    }),
    [](const testing::TestParamInfo<BadRef>& info) { return std::string(info.param.name); });

TEST(ModelsFields, CreatedAtMustBeRfc3339) {
  auto table = CompileYaml(R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
    - modelsCreatedAt: "May 13"
      backendRefs: [{name: a}]
)");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(std::string(table.status().message()),
            "test.yaml:6:24: error: spec.rules[0].modelsCreatedAt: invalid timestamp \"May 13\": "
            "expected RFC 3339, like 2024-01-02T03:04:05Z");
}

}  // namespace
}  // namespace llmroute
