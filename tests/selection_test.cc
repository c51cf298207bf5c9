// Backend selection within the winning rule (docs/routing.md#selection) and what the
// decision reports about it (docs/routing.md#decision).
//
// The expected choices come from a reference implementation of the documented formula
// written here, not from the library.

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

// The splitmix64 finalizer of entropy + golden ratio.
uint64_t Mix(uint64_t entropy) {
  uint64_t z = entropy + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// r = (z * total) >> 64 with the full 128-bit product.
uint64_t Draw(uint64_t entropy, uint64_t total) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Mix(entropy)) * total) >> 64);
}

TEST(SelectionReference, MixIsSplitMix64) {
  // The first output of splitmix64 seeded with 0 is a published constant.
  EXPECT_EQ(Mix(0), 0xE220A8397B1DCDAFULL);
}

struct Ref {
  std::string name;
  int64_t weight = 1;
  int64_t priority = 0;
};

struct Choice {
  std::string backend;                 // "" when no backend is selectable
  std::vector<std::string> fallbacks;  // names
};

// docs/routing.md#selection and #fallbacks, literally: lowest priority with a positive
// total; first backend, in backendRefs order skipping weight 0, whose running sum exceeds
// r; fallbacks are the rest of the tier after it, wrapping around, then each later tier in
// backendRefs order.
Choice Reference(const std::vector<Ref>& refs, uint64_t entropy) {
  std::map<int64_t, std::vector<const Ref*>> tiers;  // priority -> weighted refs
  std::map<int64_t, uint64_t> totals;
  for (const Ref& ref : refs) {
    totals[ref.priority] += static_cast<uint64_t>(ref.weight);
    if (ref.weight > 0) tiers[ref.priority].push_back(&ref);
  }
  Choice choice;
  auto tier = tiers.end();
  for (auto it = tiers.begin(); it != tiers.end(); ++it) {
    if (totals[it->first] > 0) {
      tier = it;
      break;
    }
  }
  if (tier == tiers.end()) return choice;
  const std::vector<const Ref*>& members = tier->second;
  uint64_t r = Draw(entropy, totals[tier->first]);
  uint64_t sum = 0;
  size_t chosen = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    sum += static_cast<uint64_t>(members[i]->weight);
    if (sum > r) {
      chosen = i;
      break;
    }
  }
  choice.backend = members[chosen]->name;
  for (size_t k = 1; k < members.size(); ++k) {
    choice.fallbacks.push_back(members[(chosen + k) % members.size()]->name);
  }
  for (auto it = std::next(tier); it != tiers.end(); ++it) {
    for (const Ref* ref : it->second) choice.fallbacks.push_back(ref->name);
  }
  return choice;
}

// An AIGatewayRoute ns/sel with one rule listing `refs` in order.
std::string RouteWith(const std::vector<Ref>& refs) {
  std::string yaml = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: sel, namespace: ns}
spec:
  schema: {name: OpenAI}
  rules:
  - name: pick
    backendRefs:
)";
  if (refs.empty()) yaml = Cat(yaml.substr(0, yaml.size() - 1), " []\n");
  for (const Ref& ref : refs) {
    yaml += Cat("    - {name: ", ref.name, ", weight: ", ref.weight, ", priority: ", ref.priority,
                "}\n");
  }
  return yaml;
}

std::string NsList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += Cat(i == 0 ? "" : ", ", "ns/", names[i]);
  return out + "]";
}

struct SelectionCase {
  std::string name;
  std::vector<Ref> refs;
};

void PrintTo(const SelectionCase& c, std::ostream* os) { *os << c.name; }

class SelectionTest : public ::testing::TestWithParam<SelectionCase> {};

// Entropies: sequential ones, and values spread over the whole 64-bit range.
std::vector<uint64_t> SomeEntropies() {
  std::vector<uint64_t> out;
  for (uint64_t e = 0; e < 2000; ++e) out.push_back(e);
  uint64_t x = 0x1234567890ABCDEFULL;
  for (int i = 0; i < 2000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    out.push_back(x);
  }
  out.push_back(~0ULL);
  out.push_back(0x61C8864680B583EBULL);  // entropy + 0x9E3779B97F4A7C15 wraps to 0
  out.push_back(1ULL << 63);
  return out;
}

TEST_P(SelectionTest, ChoiceAndFallbacksFollowTheFormula) {
  const SelectionCase& c = GetParam();
  auto table = MustCompile(RouteWith(c.refs));
  ASSERT_NE(table, nullptr);
  int failures = 0;
  for (uint64_t entropy : SomeEntropies()) {
    Choice want = Reference(c.refs, entropy);
    ASSERT_FALSE(want.backend.empty()) << "case must have a selectable backend";
    Resolved r = Resolve(table, Req().Path("/v1/chat/completions").Entropy(entropy));
    Expect e = RoutedByRule(Cat("ns/", want.backend), "ns/sel", 0, 0);
    e.rule_name = "pick";
    e.fallbacks = NsList(want.fallbacks);
    ::testing::AssertionResult ok = DecisionIs(r, e);
    if (!ok) {
      ADD_FAILURE() << ok.message();
      if (++failures >= 5) break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Selection, SelectionTest,
    ::testing::Values(
        SelectionCase{"SingleBackend", {{"only"}}},
        SelectionCase{"EqualWeights", {{"a"}, {"b"}, {"c"}}},
        SelectionCase{"WeightZeroSkipped", {{"a", 3}, {"b", 0}, {"c", 5}, {"d", 2}}},
        SelectionCase{"SeventyThirtyZero", {{"v1", 70}, {"v2", 30}, {"v3", 0}}},
        SelectionCase{"LeadingZeroWeight", {{"z", 0}, {"a", 1}, {"b", 2}}},
        // Tiers interleaved in backendRefs order; tier 0 is chosen from, tier 1 and 2 are
        // fallbacks in backendRefs order, weight 0 never appears.
        SelectionCase{"TiersInterleaved",
                      {{"a", 1, 0},
                       {"e", 2, 1},
                       {"b", 2, 0},
                       {"c", 0, 0},
                       {"f", 0, 1},
                       {"d", 1, 0},
                       {"g", 3, 1},
                       {"h", 1, 2}}},
        // Tier 0 has weight 0 only: it is skipped, tier 1 is chosen from.
        SelectionCase{"ZeroTierSkipped", {{"a", 0, 0}, {"b", 1, 1}, {"c", 3, 1}, {"d", 1, 2}}},
        // Priorities need not be contiguous nor listed in order.
        SelectionCase{"SparsePrioritiesOutOfOrder",
                      {{"d", 1, 9}, {"a", 1, 5}, {"b", 0, 2}, {"c", 0, 2}, {"e", 2, 5}}},
        // A large total: the 128-bit product differs from `z % total`.
        SelectionCase{"LargeWeights", {{"big", 1000000}, {"small", 1}, {"mid", 999999}}},
        SelectionCase{"ManyBackends",
                      {{"b0", 1},
                       {"b1", 2},
                       {"b2", 3},
                       {"b3", 4},
                       {"b4", 5},
                       {"b5", 6},
                       {"b6", 7},
                       {"b7", 8},
                       {"b8", 9},
                       {"b9", 10},
                       {"b10", 0},
                       {"b11", 11},
                       {"b12", 1, 1},
                       {"b13", 0, 1},
                       {"b14", 5, 1}}}),
    [](const ::testing::TestParamInfo<SelectionCase>& info) { return info.param.name; });

TEST(Selection, WeightZeroNeverChosenNorFallback) {
  std::vector<Ref> refs = {{"zero-a", 0}, {"one", 1}, {"zero-b", 0}, {"two", 2}};
  auto table = MustCompile(RouteWith(refs));
  ASSERT_NE(table, nullptr);
  for (uint64_t entropy = 0; entropy < 5000; ++entropy) {
    Resolved r = Resolve(table, Req().Entropy(entropy));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << Describe(*r);
    ASSERT_TRUE(r->backend.has_value());
    ASSERT_NE(r->backend->name.substr(0, 4), "zero") << Describe(*r);
    for (const Fallback& f : r->fallbacks) {
      ASSERT_NE(f.backend.name.substr(0, 4), "zero") << Describe(*r);
    }
  }
}

TEST(Selection, WeightDefaultsToOne) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: sel, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: a}, {name: b, weight: 1}]
)");
  ASSERT_NE(table, nullptr);
  std::vector<Ref> refs = {{"a", 1}, {"b", 1}};
  for (uint64_t entropy = 0; entropy < 200; ++entropy) {
    Choice want = Reference(refs, entropy);
    EXPECT_TRUE(
        DecisionIs(Resolve(table, Req().Entropy(entropy)), RoutedTo(Cat("ns/", want.backend))));
  }
}

TEST(Selection, BackendRefNamespaceDefaultsToRouteAndCanBeGiven) {
  auto table = MustCompile(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: sel, namespace: ns}
spec:
  schema: {name: OpenAI}
  rules:
  - backendRefs: [{name: a}, {name: b, namespace: other}]
)");
  ASSERT_NE(table, nullptr);
  std::vector<Ref> refs = {{"a"}, {"b"}};
  for (uint64_t entropy = 0; entropy < 100; ++entropy) {
    Choice want = Reference(refs, entropy);
    Expect e = RoutedTo(want.backend == "a" ? "ns/a" : "other/b");
    e.fallbacks = want.backend == "a" ? "[other/b]" : "[ns/a]";
    EXPECT_TRUE(DecisionIs(Resolve(table, Req().Entropy(entropy)), e));
  }
}

TEST(Selection, AllZeroWeightsIsNoBackend) {
  auto table = MustCompile(RouteWith({{"a", 0}, {"b", 0, 1}}));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Path("/v1/x").Entropy(7));
  Expect e{.status = DecisionStatus::kNoBackend,
           .backend = std::string(kNull),
           .route = "ns/sel",
           .rule = 0,
           .rule_name = "pick",
           .match = 0,
           .fallbacks = "[]"};
  EXPECT_TRUE(DecisionIs(r, e));
  EXPECT_FALSE(r->reason.empty()) << "every non-routed status has a short reason";
}

TEST(Selection, EmptyBackendRefsIsNoBackend) {
  auto table = MustCompile(RouteWith({}));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Path("/v1/x"));
  Expect e{.status = DecisionStatus::kNoBackend,
           .backend = std::string(kNull),
           .route = "ns/sel",
           .rule = 0,
           .rule_name = "pick",
           .match = 0,
           .fallbacks = "[]"};
  EXPECT_TRUE(DecisionIs(r, e));
  EXPECT_FALSE(r->reason.empty());
}

TEST(Selection, NoBackendReportsTheMatchThatWon) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: Exact, value: /a}}]
    backendRefs: [{name: a}]
  - matches:
    - path: {type: Exact, value: /b}
    - path: {type: Exact, value: /c}
    backendRefs: [{name: c, weight: 0}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Path("/c")), Expect{.status = DecisionStatus::kNoBackend,
                                                          .backend = std::string(kNull),
                                                          .route = "ns/r",
                                                          .rule = 1,
                                                          .match = 1}));
}

TEST(Selection, SameEntropySameBackend) {
  std::vector<Ref> refs = {{"a", 5}, {"b", 3}, {"c", 2}, {"d", 7, 1}};
  auto first = MustCompile(RouteWith(refs));
  auto second = MustCompile(RouteWith(refs));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  for (uint64_t entropy : SomeEntropies()) {
    Resolved one = Resolve(first, Req().Entropy(entropy));
    Resolved again = Resolve(first, Req().Entropy(entropy));
    Resolved other_table = Resolve(second, Req().Entropy(entropy));
    ASSERT_EQ(one->status, DecisionStatus::kRouted) << Describe(*one);
    ASSERT_EQ(Describe(*one), Describe(*again)) << "entropy " << entropy;
    ASSERT_EQ(Describe(*one), Describe(*other_table)) << "entropy " << entropy;
  }
}

TEST(Selection, WithoutEntropyChoosesOnlyWeightedBackends) {
  std::vector<Ref> refs = {{"a", 1}, {"never", 0}, {"b", 1}};
  auto table = MustCompile(RouteWith(refs));
  ASSERT_NE(table, nullptr);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    Resolved r = Resolve(table, Req());
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << Describe(*r);
    seen.insert(NsName(*r->backend));
  }
  // With 2000 fair draws, missing either side has probability 2^-1999.
  EXPECT_EQ(seen, (std::set<std::string>{"ns/a", "ns/b"}));
}

// Each backend's share over 100000 sequential entropies (0..99999, which the finalizer
// spreads) is within ±1 percentage point of weight/total. The standard deviation of a
// share at n = 100000 is at most 0.16 points, so 1 point is > 6 sigma for a fair mix.
TEST(Selection, SharesFollowWeightsOverManyEntropies) {
  std::vector<Ref> refs = {{"a", 70}, {"b", 20}, {"c", 9}, {"d", 1}, {"zero", 0}};
  auto table = MustCompile(RouteWith(refs));
  ASSERT_NE(table, nullptr);
  constexpr int kRequests = 100000;
  constexpr double kTolerance = 0.01;
  std::map<std::string, int> counts;
  for (uint64_t entropy = 0; entropy < kRequests; ++entropy) {
    Resolved r = Resolve(table, Req().Entropy(entropy));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << Describe(*r);
    ++counts[NsName(*r->backend)];
  }
  EXPECT_EQ(counts.count("ns/zero"), 0u);
  for (const Ref& ref : refs) {
    double want = static_cast<double>(ref.weight) / 100.0;
    double got = static_cast<double>(counts[Cat("ns/", ref.name)]) / kRequests;
    EXPECT_NEAR(got, want, kTolerance) << ref.name;
  }
}

TEST(Selection, HigherTierUsedOnlyWhenLowerHasNoWeight) {
  std::vector<Ref> refs = {{"primary", 1, 0}, {"backup", 100, 1}};
  auto table = MustCompile(RouteWith(refs));
  ASSERT_NE(table, nullptr);
  for (uint64_t entropy = 0; entropy < 1000; ++entropy) {
    Expect e = RoutedTo("ns/primary");
    e.fallbacks = "[ns/backup]";
    ASSERT_TRUE(DecisionIs(Resolve(table, Req().Entropy(entropy)), e));
  }
}

TEST(Selection, FallbacksWrapAroundWithinTier) {
  // Equal weights in one tier: whichever is chosen, the rest follow in backendRefs order
  // starting after it; then the next tier.
  std::vector<Ref> refs = {{"a"}, {"b"}, {"c"}, {"z", 1, 1}};
  auto table = MustCompile(RouteWith(refs));
  ASSERT_NE(table, nullptr);
  const std::map<std::string, std::string> want = {{"ns/a", "[ns/b, ns/c, ns/z]"},
                                                   {"ns/b", "[ns/c, ns/a, ns/z]"},
                                                   {"ns/c", "[ns/a, ns/b, ns/z]"}};
  std::set<std::string> seen;
  for (uint64_t entropy = 0; entropy < 300; ++entropy) {
    Resolved r = Resolve(table, Req().Entropy(entropy));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << Describe(*r);
    std::string chosen = NsName(*r->backend);
    ASSERT_TRUE(want.count(chosen)) << Describe(*r);
    EXPECT_EQ(RenderFallbacks(*r), want.at(chosen)) << "entropy " << entropy;
    seen.insert(chosen);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(Selection, SingleBackendHasNoFallbacks) {
  auto table = MustCompile(RouteWith({{"only"}, {"spare", 0, 1}}));
  ASSERT_NE(table, nullptr);
  Expect e = RoutedTo("ns/only");
  e.fallbacks = "[]";
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Entropy(3)), e));
}

// --- Model and model override ----------------------------------------------------------

constexpr char kOverrideRoute[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: models, namespace: ns}
spec:
  schema: {name: OpenAI}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
    backendRefs:
    - {name: azure, modelNameOverride: gpt-4o-2024-08-06}
    - {name: openai}
)";

TEST(Selection, ModelNameOverrideOfChosenBackendIsReported) {
  auto table = MustCompile(kOverrideRoute);
  ASSERT_NE(table, nullptr);
  std::vector<Ref> refs = {{"azure"}, {"openai"}};
  std::set<std::string> seen;
  for (uint64_t entropy = 0; entropy < 100; ++entropy) {
    Choice want = Reference(refs, entropy);
    Expect e = RoutedByRule(Cat("ns/", want.backend), "ns/models", 0, 0);
    e.model = "gpt-4o";
    e.model_override = want.backend == "azure" ? "gpt-4o-2024-08-06" : std::string(kNull);
    EXPECT_TRUE(
        DecisionIs(Resolve(table, Req().Header("x-ai-eg-model", "gpt-4o").Entropy(entropy)), e));
    seen.insert(want.backend);
  }
  EXPECT_EQ(seen.size(), 2u) << "entropies should exercise both backends";
}

TEST(Selection, ModelIsReportedFromModelHeader) {
  auto table = MustCompile(kOverrideRoute);
  ASSERT_NE(table, nullptr);
  Expect e = RoutedTo(Cat("ns/", Reference({{"azure"}, {"openai"}}, 1).backend));
  e.model = "gpt-4o";
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("X-AI-EG-Model", "gpt-4o").Entropy(1)), e));
}

TEST(Selection, ModelIsReportedWhenNoRuleMatches) {
  auto table = MustCompile(kOverrideRoute);
  ASSERT_NE(table, nullptr);
  Expect e = NoRoute();
  e.model = "gpt-5";
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-ai-eg-model", "gpt-5")), e));
}

TEST(Selection, NoModelHeaderMeansNoModel) {
  auto table = MustCompile(kOverrideRoute);
  ASSERT_NE(table, nullptr);
  Expect e = NoRoute();
  e.model = std::string(kNull);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-other", "gpt-4o")), e));
}

TEST(Selection, ModelHeaderNameIsAnOption) {
  CompileOptions options;
  options.model_header = "x-model";
  auto table = MustCompile(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: models, namespace: ns}
spec:
  schema: {name: OpenAI}
  rules:
  - backendRefs: [{name: b}]
)",
                           options);
  ASSERT_NE(table, nullptr);
  Expect e = RoutedTo("ns/b");
  e.model = "llama-3";
  EXPECT_TRUE(DecisionIs(
      Resolve(table, Req().Header("x-ai-eg-model", "gpt-4o").Header("X-Model", "llama-3")), e));
}

}  // namespace
}  // namespace llmroute::test
