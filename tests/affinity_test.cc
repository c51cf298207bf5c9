// Session affinity: weighted rendezvous hashing on a header or body field.
//
// The expected choices come from a transcription of the formula written here (its own
// FNV-1a, splitmix64 and score), not from the library.
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/health.h"
#include "reference/reference_resolver.h"
#include "select/affinity.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

using reference::Fnv1a64;
using reference::Mix;

TEST(AffinityReference, FnvKnownValues) {
  EXPECT_EQ(Fnv1a64(""), 0xCBF29CE484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xAF63DC4C8601EC8CULL);  // published FNV-1a 64 test vector
}

struct Backend {
  Backend(std::string name, uint64_t weight = 1, int priority = 0, std::string override_ = "")
      : name(std::move(name)), weight(weight), priority(priority), override_(std::move(override_)) {}
  std::string name;  // in namespace "ns"
  uint64_t weight;
  int priority;
  std::string override_;  // "" for none
};

struct Choice {
  std::string backend;
  std::vector<std::string> fallbacks;
  bool panic = false;
};

double Score(const std::string& key, const Backend& b) {
  std::string identity = "ns/" + b.name;
  if (!b.override_.empty()) identity += "#" + b.override_;
  const uint64_t x = Mix(Fnv1a64(key) ^ Fnv1a64(identity));
  const double u = (static_cast<double>(x >> 11) + 0.5) / std::ldexp(1.0, 53);
  return static_cast<double>(b.weight) / -std::log(u);
}

// The formula, literally: per priority tier, entries that are up (positive weight, not
// in `down`), each tier sorted by score (ties: backendRefs order); the first tier with an
// entry chooses its best; fallbacks follow in tier order. All down: the view is ignored.
Choice Reference(const std::vector<Backend>& backends, const std::string& key,
                 const std::set<std::string>& down = {}) {
  Choice choice;
  std::set<std::string> effective_down = down;
  bool any_up = false;
  for (const Backend& b : backends) any_up |= b.weight > 0 && !down.count(b.name);
  if (!any_up) {
    effective_down.clear();
    choice.panic = !down.empty();
  }
  std::map<int, std::vector<std::pair<double, size_t>>> tiers;
  for (size_t i = 0; i < backends.size(); ++i) {
    const Backend& b = backends[i];
    if (b.weight == 0 || effective_down.count(b.name)) continue;
    tiers[b.priority].push_back({Score(key, b), i});
  }
  bool first = true;
  for (auto& [priority, entries] : tiers) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [score, i] : entries) {
      if (first) {
        choice.backend = "ns/" + backends[i].name;
        first = false;
      } else {
        choice.fallbacks.push_back("ns/" + backends[i].name);
      }
    }
  }
  return choice;
}

std::string RouteYaml(const std::vector<Backend>& backends,
                      const std::string& affinity = "{header: x-session}") {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"
      "metadata: {name: r, namespace: ns}\nspec:\n  sessionAffinity: " + affinity +
      "\n  rules:\n  - backendRefs:\n";
  for (const Backend& b : backends) {
    yaml += Cat("    - {name: ", b.name, ", weight: ", b.weight, ", priority: ", b.priority);
    if (!b.override_.empty()) yaml += ", modelNameOverride: " + b.override_;
    yaml += "}\n";
  }
  return yaml;
}

Choice Actual(const RoutingTable& table, const std::string& key, const HealthView* health = nullptr,
              bool* affinity = nullptr) {
  const Header headers[] = {{"X-Session", key}};
  Request request;
  request.headers = headers;
  request.health = health;
  request.entropy = 0;
  const Decision d = table.Resolve(request);
  Choice choice;
  if (d.backend) choice.backend = NsName(*d.backend);
  for (const Fallback& f : d.fallbacks) choice.fallbacks.push_back(NsName(f.backend));
  choice.panic = d.panic;
  if (affinity != nullptr) *affinity = d.affinity;
  return choice;
}

void ExpectSame(const Choice& actual, const Choice& expected, const std::string& what) {
  EXPECT_EQ(actual.backend, expected.backend) << what;
  EXPECT_EQ(actual.fallbacks, expected.fallbacks) << what;
  EXPECT_EQ(actual.panic, expected.panic) << what;
}

const std::vector<Backend> kTiered = {
    {"a", 3, 0, ""}, {"b", 1, 0, "b-model"}, {"zero", 0, 0, ""}, {"c", 5, 0, ""},
    {"d", 2, 1, ""}, {"e", 1, 1, "e-model"}, {"f", 7, 3, ""},
};

TEST(Affinity, MatchesTheFormula) {
  auto table = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(table, nullptr);
  for (int i = 0; i < 2000; ++i) {
    const std::string key = Cat("user-", i * 7919);
    bool affinity = false;
    ExpectSame(Actual(*table, key, nullptr, &affinity), Reference(kTiered, key), key);
    EXPECT_TRUE(affinity);
  }
}

TEST(Affinity, MatchesTheFormulaWithEqualWeights) {
  // One weight per tier: the library ranks without computing every log.
  const std::vector<Backend> equal = {{"a", 4}, {"b", 4}, {"c", 4}, {"d", 4}, {"e", 4},
                                      {"f", 1, 2}, {"g", 1, 2}, {"h", 1, 2}};
  auto table = MustCompile(RouteYaml(equal));
  ASSERT_NE(table, nullptr);
  for (int i = 0; i < 3000; ++i) {
    const std::string key = Cat("eq-", i);
    ExpectSame(Actual(*table, key), Reference(equal, key), key);
  }
}

// Near ties of the draw bits: ranking them by the bits must agree with the scores, ties
// (equal scores) going to the earlier entry.
TEST(Affinity, SameWeightRankingAgreesWithTheScoresAtNearTies) {
  auto score = [](uint64_t bits, uint64_t w) {
    const double u = (static_cast<double>(bits) + 0.5) / std::ldexp(1.0, 53);
    return static_cast<double>(w) / -std::log(u);
  };
  const uint64_t top = (uint64_t{1} << 53) - 1;
  std::vector<uint64_t> bits;
  for (uint64_t k = 0; k < 40; ++k) bits.push_back(k);
  for (uint64_t k = 0; k < 40; ++k) bits.push_back(top - k);
  for (uint64_t k = 0; k < 40; ++k) bits.push_back((uint64_t{1} << 52) + k);
  for (uint64_t k = 0; k < 40; ++k) bits.push_back(0x123456789ABCDULL + k);
  int ties = 0;
  for (uint64_t w : {uint64_t{1}, uint64_t{3}, uint64_t{1000000}}) {
    for (uint64_t a : bits) {
      for (uint64_t b : bits) {
        if (b < a - std::min<uint64_t>(a, 50) || b > a + 50) continue;
        const double sa = score(a, w), sb = score(b, w);
        for (bool a_first : {true, false}) {
          const bool expected = sa != sb ? sa > sb : a_first;
          ties += sa == sb && a != b;
          EXPECT_EQ(internal::RanksBeforeSameWeight(a, b, w, a_first), expected)
              << a << " " << b << " " << w;
        }
      }
    }
  }
  EXPECT_GT(ties, 0) << "the near ties include scores that round to equal";
}

// Two backendRefs whose draws for the key "near-tie" are 60 apart out of 2^53 (found by
// a search over names): the ranking then compares their scores and writes the tier again,
// in the tier that chooses and in a later one.
TEST(Affinity, MatchesTheFormulaAtANearTieOfTheDraws) {
  const std::string key = "near-tie";
  const uint64_t x = Mix(Fnv1a64(key) ^ Fnv1a64("ns/n117336")) >> 11;
  const uint64_t y = Mix(Fnv1a64(key) ^ Fnv1a64("ns/n1386797")) >> 11;
  ASSERT_EQ(y - x, 60u) << "the two draws are a near tie";
  const std::vector<std::vector<Backend>> cases = {
      {{"a"}, {"n1386797"}, {"b"}, {"n117336"}, {"c", 1, 1}},
      {{"n117336", 3}, {"n1386797", 3}},
      {{"a"}, {"n1386797", 1, 1}, {"x", 1, 1}, {"n117336", 1, 1}, {"z", 1, 2}}};
  for (const std::vector<Backend>& backends : cases) {
    auto table = MustCompile(RouteYaml(backends));
    ASSERT_NE(table, nullptr);
    ExpectSame(Actual(*table, key), Reference(backends, key), key);
  }
}

TEST(Affinity, MatchesTheFormulaWithBackendsDown) {
  auto table = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(table, nullptr);
  const std::vector<std::set<std::string>> down_sets = {
      {"a"}, {"a", "c"}, {"a", "b", "c"}, {"a", "b", "c", "d"}, {"a", "b", "c", "d", "e", "f"},
      {"f"}, {"b", "e"}};
  for (const auto& down : down_sets) {
    HealthView health;
    for (const std::string& name : down) ASSERT_TRUE(health.MarkDown("ns", name).ok());
    for (int i = 0; i < 300; ++i) {
      const std::string key = Cat("k", i);
      ExpectSame(Actual(*table, key, &health), Reference(kTiered, key, down),
                 Cat(key, " down ", down.size()));
    }
  }
}

// The golden values of tests/data/shared_cases.json, computed by this test's transcription.
TEST(Affinity, GoldenValuesOfTheSharedCases) {
  const std::vector<Backend> backends = {{"alpha", 1}, {"beta", 2}, {"gamma", 1}, {"spare", 1, 1}};
  auto expect = [&](const std::string& key, std::vector<std::string> order,
                    const std::set<std::string>& down = {}) {
    const Choice choice = Reference(backends, key, down);
    std::vector<std::string> got{choice.backend};
    got.insert(got.end(), choice.fallbacks.begin(), choice.fallbacks.end());
    EXPECT_EQ(got, order) << key;
  };
  expect("user-1", {"ns/beta", "ns/gamma", "ns/alpha", "ns/spare"});
  expect("c-7", {"ns/alpha", "ns/gamma", "ns/beta", "ns/spare"});
  expect("abc", {"ns/gamma", "ns/alpha", "ns/beta", "ns/spare"});
  expect("user-3", {"ns/alpha", "ns/gamma", "ns/spare"}, {"beta"});
}

TEST(Affinity, RemovingABackendMovesOnlyItsKeys) {
  std::vector<Backend> all;
  for (int i = 0; i < 8; ++i) all.push_back({Cat("b", i), static_cast<uint64_t>(1 + i % 3)});
  std::vector<Backend> without = all;
  without.erase(without.begin() + 3);
  auto before = MustCompile(RouteYaml(all));
  auto after = MustCompile(RouteYaml(without));
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  int moved = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string key = Cat("session-", i);
    const std::string was = Actual(*before, key).backend;
    const std::string is = Actual(*after, key).backend;
    if (was != "ns/b3") {
      EXPECT_EQ(is, was) << key;
    } else {
      ++moved;
      EXPECT_NE(is, "ns/b3");
    }
  }
  EXPECT_GT(moved, 0);
}

TEST(Affinity, AddingABackendMovesNoKeyBetweenOldOnes) {
  std::vector<Backend> old;
  for (int i = 0; i < 6; ++i) old.push_back({Cat("b", i), 2});
  std::vector<Backend> grown = old;
  grown.push_back({"new", 3});  // 3 of 15: about 20% of the keys
  auto before = MustCompile(RouteYaml(old));
  auto after = MustCompile(RouteYaml(grown));
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  const int keys = 20000;
  int taken = 0;
  for (int i = 0; i < keys; ++i) {
    const std::string key = Cat("session-", i);
    const std::string was = Actual(*before, key).backend;
    const std::string is = Actual(*after, key).backend;
    if (is == "ns/new") {
      ++taken;
    } else {
      EXPECT_EQ(is, was) << key;
    }
  }
  EXPECT_NEAR(static_cast<double>(taken) / keys, 3.0 / 15.0, 0.02);
}

TEST(Affinity, SharesFollowWeights) {
  const std::vector<Backend> backends = {{"w1", 1}, {"w2", 2}, {"w3", 3}, {"w4", 4}};
  auto table = MustCompile(RouteYaml(backends));
  ASSERT_NE(table, nullptr);
  std::map<std::string, int> counts;
  const int keys = 100000;
  for (int i = 0; i < keys; ++i) ++counts[Actual(*table, Cat(i)).backend];
  for (int w = 1; w <= 4; ++w) {
    EXPECT_NEAR(static_cast<double>(counts[Cat("ns/w", w)]) / keys, w / 10.0, 0.01) << w;
  }
}

TEST(Affinity, SameKeySameBackendWhateverTheEntropy) {
  auto table = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(table, nullptr);
  std::set<std::string> chosen;
  for (uint64_t entropy = 0; entropy < 50; ++entropy) {
    Resolved r = Resolve(table, Req().Header("x-session", "stable").Entropy(entropy));
    chosen.insert(NsName(*r->backend));
  }
  EXPECT_EQ(chosen.size(), 1u);
}

TEST(Affinity, ReportsTheChosenEntrysModelOverride) {
  auto table = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(table, nullptr);
  for (int i = 0; i < 200; ++i) {
    const std::string key = Cat("o", i);
    Resolved r = Resolve(table, Req().Header("x-session", key));
    const std::string backend = NsName(*r->backend);
    if (backend == "ns/b") {
      ASSERT_TRUE(r->model_override.has_value());
      EXPECT_EQ(*r->model_override, "b-model");
    } else if (backend == "ns/a" || backend == "ns/c") {
      EXPECT_FALSE(r->model_override.has_value());
    }
  }
}

TEST(Affinity, NoKeyMeansEntropyExactlyAsWithout) {
  const std::string with = RouteYaml(kTiered);
  const std::string without = RouteYaml(kTiered, "null");
  auto affine = MustCompile(with);
  auto plain = MustCompile(without);
  ASSERT_NE(affine, nullptr);
  ASSERT_NE(plain, nullptr);
  for (uint64_t entropy = 0; entropy < 100; ++entropy) {
    for (const char* value : {static_cast<const char*>(""), static_cast<const char*>(nullptr)}) {
      Req req = Req().Entropy(entropy);
      if (value != nullptr) req.AddHeader("x-session", value);  // empty: no key either
      Resolved a = Resolve(affine, std::move(req));
      Resolved p = Resolve(plain, Req().Entropy(entropy));
      EXPECT_EQ(NsName(*a->backend), NsName(*p->backend));
      EXPECT_EQ(RenderFallbacks(*a), RenderFallbacks(*p));
      EXPECT_FALSE(a->affinity);
    }
  }
}

TEST(Affinity, RepeatedHeaderIsTheJoinedValue) {
  auto table = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(table, nullptr);
  for (int i = 0; i < 100; ++i) {
    Resolved joined = Resolve(table, Req().Header("x-session", Cat("a", i, ",b")));
    Resolved repeated =
        Resolve(table, Req().Header("X-Session", Cat("a", i)).Header("x-session", "b"));
    EXPECT_EQ(NsName(*joined->backend), NsName(*repeated->backend));
    EXPECT_EQ(RenderFallbacks(*joined), RenderFallbacks(*repeated));
  }
}

TEST(Affinity, BodyFieldIsTheKey) {
  auto by_body = MustCompile(RouteYaml(kTiered, "{bodyField: user}"));
  auto by_header = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(by_body, nullptr);
  ASSERT_NE(by_header, nullptr);
  for (int i = 0; i < 200; ++i) {
    const std::string key = Cat("user-", i);
    Resolved expected = Resolve(by_header, Req().Header("x-session", key));
    for (const std::string& body :
         {Cat(R"({"model": "m", "user": ")", key, R"("})"),
          Cat(R"({"user": "x", "messages": [{"user": "no"}], "user": ")", key, R"("})"),  // the last
          Cat(R"({"\u0075ser": "u\u0073er-)", i, R"(", "stream": true})")}) {           // escapes
      Resolved r = Resolve(by_body, Req().Body(body).Entropy(i));
      ASSERT_EQ(r->status, DecisionStatus::kRouted) << body;
      EXPECT_TRUE(r->affinity) << body;
      EXPECT_EQ(NsName(*r->backend), NsName(*expected->backend)) << body;
      EXPECT_EQ(RenderFallbacks(*r), RenderFallbacks(*expected)) << body;
    }
  }
}

TEST(Affinity, BodyFieldAbsentNotAStringOrNoBodyFallsBackToEntropy) {
  auto table = MustCompile(RouteYaml(kTiered, "{bodyField: user}"));
  ASSERT_NE(table, nullptr);
  for (const char* body : {R"({"model": "m"})", R"({"user": 42})", R"({"user": {"id": "x"}})",
                           R"({"user": ""})", R"({"user": null})", R"({"user": "\ud800"})",
                           R"({"user": "x", "user": 5})", R"({"user": "x", "user": {"id": "y"}})",
                           R"({"user": "x", "user": "\udc00"})"}) {
    Resolved r = Resolve(table, Req().Body(body).Entropy(1));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << body;
    EXPECT_FALSE(r->affinity) << body;
  }
  Resolved no_body = Resolve(table, Req().Header("user", "x").Entropy(1));
  EXPECT_FALSE(no_body->affinity);
  // The body is still checked whole.
  Resolved bad = Resolve(table, Req().Body(R"({"user": "x", })"));
  EXPECT_EQ(bad->status, DecisionStatus::kBadRequest);
}

TEST(Affinity, BodyFieldNamedModelIsTheModel) {
  auto table = MustCompile(RouteYaml(kTiered, "{bodyField: model}"));
  auto by_header = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, Req().Body(R"({"model": "gpt-4o"})"));
  Resolved expected = Resolve(by_header, Req().Header("x-session", "gpt-4o"));
  EXPECT_TRUE(r->affinity);
  EXPECT_EQ(NsName(*r->backend), NsName(*expected->backend));
}

// The model header as an affinity key is the header as the client sent it: a body's model
// replaces the model header for matching only.
TEST(Affinity, ModelHeaderKeyIsTheHeaderAsReceivedWhenABodyIsGiven) {
  auto on_model = MustCompile(RouteYaml(kTiered, "{header: x-ai-eg-model}"));
  auto by_header = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(on_model, nullptr);
  ASSERT_NE(by_header, nullptr);
  for (int i = 0; i < 50; ++i) {
    const std::string key = Cat("k", i);
    Resolved expected = Resolve(by_header, Req().Header("x-session", key));
    Resolved expected_joined = Resolve(by_header, Req().Header("x-session", key + ",k"));
    for (const char* body : {R"({"model": "other"})", R"({"model": 7})", R"({"stream": true})"}) {
      Resolved r = Resolve(on_model, Req().Header("X-AI-EG-Model", key).Body(body).Entropy(i));
      ASSERT_EQ(r->status, DecisionStatus::kRouted) << body;
      EXPECT_TRUE(r->affinity) << body;
      EXPECT_EQ(NsName(*r->backend), NsName(*expected->backend)) << body;
      EXPECT_EQ(RenderFallbacks(*r), RenderFallbacks(*expected)) << body;
      Resolved repeated = Resolve(
          on_model, Req().Header("x-ai-eg-model", key).Header("X-Ai-Eg-Model", "k").Body(body));
      EXPECT_TRUE(repeated->affinity) << body;
      EXPECT_EQ(NsName(*repeated->backend), NsName(*expected_joined->backend)) << body;
      EXPECT_EQ(RenderFallbacks(*repeated), RenderFallbacks(*expected_joined)) << body;
    }
  }
  // Without the header, the body's model is not a key.
  Resolved none = Resolve(on_model, Req().Body(R"({"model": "gpt-4o"})").Entropy(1));
  EXPECT_FALSE(none->affinity);
}

// Only the model header itself is the key: names that are longer or shorter, sharing its
// first letters, are other headers.
TEST(Affinity, ModelHeaderKeyIgnoresHeadersOfOtherLengths) {
  auto on_model = MustCompile(RouteYaml(kTiered, "{header: x-ai-eg-model}"));
  auto by_header = MustCompile(RouteYaml(kTiered));
  ASSERT_NE(on_model, nullptr);
  ASSERT_NE(by_header, nullptr);
  for (int i = 0; i < 20; ++i) {
    const std::string key = Cat("k", i);
    Resolved expected = Resolve(by_header, Req().Header("x-session", key));
    Resolved r = Resolve(on_model, Req()
                                       .Header("x-ai-eg-model-version", "v")
                                       .Header("X-AI-EG-Model", key)
                                       .Header("x-ai-eg-mode", "m")
                                       .Body(R"({"model": "other"})")
                                       .Entropy(i));
    ASSERT_EQ(r->status, DecisionStatus::kRouted);
    EXPECT_TRUE(r->affinity);
    EXPECT_EQ(NsName(*r->backend), NsName(*expected->backend)) << key;
    EXPECT_EQ(RenderFallbacks(*r), RenderFallbacks(*expected)) << key;
  }
}

// Only a header of exactly the model header's name is it: a leading part of the name, or a
// longer name that starts with it, is another header (and reading one must stay in bounds).
TEST(Affinity, ModelHeaderKeyWithABodyIsOnlyTheHeaderOfThatName) {
  CompileOptions options;
  options.model_header = "x-custom-model-header";
  auto on_model = MustCompile(RouteYaml(kTiered, "{header: x-custom-model-header}"), options);
  auto on_default = MustCompile(RouteYaml(kTiered, "{header: x-ai-eg-model}"));
  ASSERT_NE(on_model, nullptr);
  ASSERT_NE(on_default, nullptr);
  const char* body = R"({"model": "m"})";
  for (const char* name : {"", "x", "x-custom", "x-custom-model-heade", "X-Custom-Model-Header-and-more",
                           "x-custom-model-headers"}) {
    Resolved r = Resolve(on_model, Req().Header(name, "k1").Body(body).Entropy(1));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << name;
    EXPECT_FALSE(r->affinity) << name;
  }
  for (const char* name : {"x", "X-AI-EG", "x-ai-eg-mode", "x-ai-eg-model-extra"}) {
    Resolved r = Resolve(on_default, Req().Header(name, "k1").Body(body).Entropy(1));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << name;
    EXPECT_FALSE(r->affinity) << name;
  }
  Resolved named = Resolve(on_model, Req().Header("X-Custom-Model-Header", "k1").Body(body));
  EXPECT_TRUE(named->affinity);
}

constexpr char kTwoRules[] = R"(
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  sessionAffinity: {header: x-user}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: one}]}]
    backendRefs: [{name: a}, {name: b}, {name: c}]
  - matches: [{headers: [{name: x-ai-eg-model, value: two}]}]
    sessionAffinity: {bodyField: prompt_cache_key}
    backendRefs: [{name: a}, {name: b}, {name: c}]
)";

TEST(Affinity, RuleSectionReplacesTheRoutes) {
  auto table = MustCompile(kTwoRules);
  ASSERT_NE(table, nullptr);
  Resolved one = Resolve(table, Req().Header("x-ai-eg-model", "one").Header("x-user", "u"));
  EXPECT_TRUE(one->affinity);
  Resolved two = Resolve(table, Req().Header("x-ai-eg-model", "two").Header("x-user", "u"));
  EXPECT_FALSE(two->affinity);
  Resolved two_body =
      Resolve(table, Req().Body(R"({"model": "two", "prompt_cache_key": "u"})"));
  EXPECT_TRUE(two_body->affinity);
}

TEST(Affinity, CompileOptionsGiveADefaultThatARouteOverrides) {
  CompileOptions options;
  options.affinity_header = "X-Tenant";
  auto table = MustCompile(kTwoRules, options);
  ASSERT_NE(table, nullptr);
  Resolved own = Resolve(table, Req().Header("x-ai-eg-model", "one").Header("x-tenant", "t"));
  EXPECT_FALSE(own->affinity);  // the route's own x-user wins
  auto plain = MustCompile(RouteYaml(kTiered, "null"), options);
  ASSERT_NE(plain, nullptr);
  Resolved by_default = Resolve(plain, Req().Header("x-tenant", "t"));
  EXPECT_TRUE(by_default->affinity);

  CompileOptions body_options;
  body_options.affinity_body_field = "user";
  auto by_body = MustCompile(RouteYaml(kTiered, "null"), body_options);
  ASSERT_NE(by_body, nullptr);
  EXPECT_TRUE(Resolve(by_body, Req().Body(R"({"user": "u"})"))->affinity);
}

TEST(Affinity, AffinityHeadersAreOwnedHeaders) {
  auto table = MustCompile(kTwoRules);
  ASSERT_NE(table, nullptr);
  const std::vector<std::string_view> owned(table->owned_headers().begin(),
                                            table->owned_headers().end());
  EXPECT_EQ(owned, (std::vector<std::string_view>{"x-ai-eg-model", "x-user"}));
}

TEST(Affinity, StandardHeaderDecisionIsNotAffinity) {
  auto table = MustCompile(RouteYaml(kTiered) + "  standardRoutingHeader: {enabled: true}\n");
  ASSERT_NE(table, nullptr);
  Resolved r =
      Resolve(table, Req().Header("x-session", "k").Header("x-ai-gateway-backend", "d"));
  EXPECT_EQ(r->via, Via::kStandardHeader);
  EXPECT_FALSE(r->affinity);
}

std::string CompileError(const std::string& yaml, const CompileOptions& options = {}) {
  auto table = CompileYaml(yaml, options);
  return table.ok() ? "compiled" : std::string(table.status().message());
}

TEST(AffinityConfig, BothIsAnError) {
  EXPECT_EQ(CompileError(RouteYaml(kTiered, "{header: x, bodyField: z}")),
            "test.yaml:5:43: error: spec.sessionAffinity.bodyField: give either header or "
            "bodyField, not both");
}

TEST(AffinityConfig, NeitherIsAnError) {
  EXPECT_EQ(CompileError(RouteYaml(kTiered, "{}")),
            "test.yaml:5:20: error: spec.sessionAffinity: needs a header or a bodyField");
  EXPECT_EQ(CompileError(RouteYaml(kTiered, "{headers: x}")),
            "test.yaml:5:20: error: spec.sessionAffinity: needs a header or a bodyField");
}

TEST(AffinityConfig, NameNotATokenIsAnError) {
  EXPECT_EQ(CompileError(RouteYaml(kTiered, "{header: \"x session\"}")),
            "test.yaml:5:29: error: spec.sessionAffinity.header: sessionAffinity header "
            "\"x session\" is not a valid token");
  EXPECT_EQ(CompileError(RouteYaml(kTiered, "{bodyField: \"\"}")),
            "test.yaml:5:32: error: spec.sessionAffinity.bodyField: sessionAffinity body field "
            "\"\" is not a valid token");
  EXPECT_EQ(CompileError(RouteYaml(kTiered, "{header: 7}")),
            "test.yaml:5:29: error: spec.sessionAffinity.header: expected a string, got "
            "integer (quote it to make it a string)");
}

TEST(AffinityConfig, RuleLevelErrorsNameTheRule) {
  const std::string yaml = R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: a}]
  - backendRefs: [{name: a}]
    sessionAffinity:
      bodyField: "a/b"
)";
  EXPECT_EQ(CompileError(yaml),
            "test.yaml:9:18: error: spec.rules[1].sessionAffinity.bodyField: sessionAffinity "
            "body field \"a/b\" is not a valid token");
  EXPECT_EQ(CompileError(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - backendRefs: [{name: a}]
    sessionAffinity: {header: a, bodyField: b}
)"),
            "test.yaml:7:45: error: spec.rules[0].sessionAffinity.bodyField: give either "
            "header or bodyField, not both");
}

TEST(AffinityConfig, EveryRouteKindReadsIt) {
  for (const char* head : {"apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\n",
                           "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n",
                           "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"}) {
    auto table = MustCompile(Cat(head, R"(metadata: {name: r}
spec:
  sessionAffinity: {header: x-user}
  rules:
  - backendRefs: [{name: a}, {name: b}]
)"));
    ASSERT_NE(table, nullptr) << head;
    EXPECT_TRUE(Resolve(table, Req().Header("x-user", "u"))->affinity) << head;
  }
}

TEST(AffinityConfig, BadCompileOptionsAreErrors) {
  CompileOptions both;
  both.affinity_header = "x";
  both.affinity_body_field = "y";
  EXPECT_NE(CompileError(RouteYaml(kTiered, "null"), both).find("both"), std::string::npos);
  CompileOptions bad;
  bad.affinity_header = "x y";
  EXPECT_NE(CompileError(RouteYaml(kTiered, "null"), bad).find("not a valid token"),
            std::string::npos);
  CompileOptions long_field;
  long_field.affinity_body_field = std::string(kMaxAffinityBodyFieldBytes + 1, 'f');
  EXPECT_NE(CompileError(RouteYaml(kTiered, "null"), long_field).find("longer than"),
            std::string::npos);
}

TEST(AffinityConfig, TooManyDistinctBodyFields) {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"
      "metadata: {name: r}\nspec:\n  rules:\n";
  for (std::size_t i = 0; i <= kMaxAffinityBodyFields; ++i) {
    yaml += Cat("  - backendRefs: [{name: a}]\n    sessionAffinity: {bodyField: f", i, "}\n");
  }
  EXPECT_NE(CompileError(yaml).find("too many distinct affinity body fields"), std::string::npos);
}

}  // namespace
}  // namespace llmroute::test
