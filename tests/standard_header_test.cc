// The standard routing header (docs/routing.md#standard-header) and how it ranks against the rules.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

// Route team/chat with `section` as its standardRoutingHeader (YAML flow mapping, or ""
// for no section). Its rules: model gpt-4o -> team/openai; model llama -> team/vllm and
// other/tgi. Besides: declared team/declared-only and other/elsewhere, and route side/side
// (no standard header) that references team/shared and side/own.
//
//   RulesOnly:     team/openai, team/vllm, other/tgi
//   SameNamespace: team/openai, team/vllm, team/declared-only, team/shared
//   Explicit [vllm, other/elsewhere]: team/vllm, other/elsewhere
std::string ChatConfig(std::string_view section, std::string_view side_section = "") {
  std::string header_section;
  if (!section.empty()) header_section = Cat("  standardRoutingHeader: ", section, "\n");
  std::string side_header_section;
  if (!side_section.empty()) {
    side_header_section = Cat("  standardRoutingHeader: ", side_section, "\n");
  }
  return Cat(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team}
spec:
  schema: {name: OpenAI}
)",
             header_section, R"(  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
    backendRefs: [{name: openai}]
  - matches: [{headers: [{name: x-ai-eg-model, value: llama}]}]
    backendRefs: [{name: vllm}, {name: tgi, namespace: other}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: declared-only, namespace: team}
spec: {schema: {name: OpenAI}}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: elsewhere, namespace: other}
spec: {schema: {name: OpenAI}}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: side, namespace: side}
spec:
  schema: {name: OpenAI}
)",
             side_header_section, R"(  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: side-only}]}]
    backendRefs: [{name: shared, namespace: team}, {name: own}]
)");
}

constexpr char kEnabled[] = "{enabled: true}";
constexpr char kHeader[] = "x-ai-gateway-backend";

// A request for model gpt-4o (the rules say team/openai) with the given header values.
Req ChatRequest(std::vector<std::string> values, std::string header = kHeader) {
  Req req = Req().Method("POST").Path("/v1/chat/completions").Header("x-ai-eg-model", "gpt-4o");
  for (std::string& v : values) req.AddHeader(header, std::move(v));
  return req;
}

Expect ByRulesToOpenai() { return RoutedByRule("team/openai", "team/chat", 0, 0); }

// --- Disabled --------------------------------------------------------------------------

struct DisabledCase {
  std::string name;
  std::string section;
};

void PrintTo(const DisabledCase& c, std::ostream* os) { *os << c.name; }

class DisabledTest : public ::testing::TestWithParam<DisabledCase> {};

TEST_P(DisabledTest, HeaderIsIgnored) {
  auto table = MustCompile(ChatConfig(GetParam().section));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), ByRulesToOpenai()));
}

TEST_P(DisabledTest, HeaderAloneDoesNotRoute) {
  auto table = MustCompile(ChatConfig(GetParam().section));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "openai")), NoRoute()));
}

TEST_P(DisabledTest, ConflictingValuesAreIgnored) {
  auto table = MustCompile(ChatConfig(GetParam().section));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm", "openai"})), ByRulesToOpenai()));
}

TEST_P(DisabledTest, UnknownValueIsIgnored) {
  auto table = MustCompile(ChatConfig(GetParam().section));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"nope"})), ByRulesToOpenai()));
}

INSTANTIATE_TEST_SUITE_P(
    StandardHeader, DisabledTest,
    ::testing::Values(DisabledCase{"AbsentSection", ""},
                      DisabledCase{"EnabledFalse", "{enabled: false}"},
                      DisabledCase{"SectionWithoutEnabled",
                                   "{headerName: x-ai-gateway-backend, onDisallowed: Reject}"}),
    [](const ::testing::TestParamInfo<DisabledCase>& info) { return info.param.name; });

// --- Allowlist policies ------------------------------------------------------------------

struct PolicyCase {
  std::string name;
  std::string section;
  std::string value;    // the header value sent
  std::string backend;  // "ns/name" when allowed, "" when not
};

void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name; }

class PolicyTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyTest, AllowsExactlyTheAllowlist) {
  const PolicyCase& c = GetParam();
  auto table = MustCompile(ChatConfig(c.section));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, ChatRequest({c.value}));
  if (!c.backend.empty()) {
    Expect e = RoutedByHeader(c.backend, "team/chat");
    EXPECT_TRUE(DecisionIs(r, e)) << "section: " << c.section;
  } else {
    EXPECT_TRUE(DecisionIs(r, NotAllowed("team/chat"))) << "section: " << c.section;
  }
}

constexpr char kSameNamespace[] = "{enabled: true, allowedBackends: SameNamespace}";
constexpr char kExplicit[] =
    "{enabled: true, allowedBackends: Explicit, backends: [vllm, other/elsewhere]}";

INSTANTIATE_TEST_SUITE_P(
    StandardHeader, PolicyTest,
    ::testing::Values(
        // RulesOnly (the default): the backends in this route's backendRefs.
        PolicyCase{"RulesOnlyName", kEnabled, "vllm", "team/vllm"},
        PolicyCase{"RulesOnlyNamespacedName", kEnabled, "team/vllm", "team/vllm"},
        PolicyCase{"RulesOnlyOtherNamespaceRef", kEnabled, "other/tgi", "other/tgi"},
        PolicyCase{"RulesOnlyExplicitPolicyName", "{enabled: true, allowedBackends: RulesOnly}",
                   "openai", "team/openai"},
        PolicyCase{"RulesOnlyBareNameMeansRouteNamespace", kEnabled, "tgi", ""},
        PolicyCase{"RulesOnlyDeclaredButUnreferenced", kEnabled, "declared-only", ""},
        PolicyCase{"RulesOnlyReferencedByOtherRoute", kEnabled, "team/shared", ""},
        PolicyCase{"RulesOnlyCaseSensitive", kEnabled, "VLLM", ""},
        PolicyCase{"RulesOnlyNamespaceCaseSensitive", kEnabled, "Team/vllm", ""},
        // SameNamespace: declared or referenced by any route, in the route's namespace.
        PolicyCase{"SameNamespaceDeclared", kSameNamespace, "declared-only", "team/declared-only"},
        PolicyCase{"SameNamespaceReferencedByOtherRoute", kSameNamespace, "shared", "team/shared"},
        PolicyCase{"SameNamespaceOwnRef", kSameNamespace, "team/openai", "team/openai"},
        PolicyCase{"SameNamespaceRejectsOtherNamespaceRef", kSameNamespace, "other/tgi", ""},
        PolicyCase{"SameNamespaceRejectsOtherNamespaceDeclared", kSameNamespace, "other/elsewhere",
                   ""},
        PolicyCase{"SameNamespaceRejectsOtherRoutesNamespace", kSameNamespace, "side/own", ""},
        PolicyCase{"SameNamespaceRejectsNameFromOtherNamespace", kSameNamespace, "own", ""},
        // Explicit: exactly the list.
        PolicyCase{"ExplicitName", kExplicit, "vllm", "team/vllm"},
        PolicyCase{"ExplicitNameAsNamespacedName", kExplicit, "team/vllm", "team/vllm"},
        PolicyCase{"ExplicitNamespacedEntry", kExplicit, "other/elsewhere", "other/elsewhere"},
        PolicyCase{"ExplicitRejectsRuleBackendNotListed", kExplicit, "openai", ""},
        PolicyCase{"ExplicitBareNameMeansRouteNamespace", kExplicit, "elsewhere", ""},
        PolicyCase{"ExplicitRejectsDeclaredNotListed", kExplicit, "declared-only", ""}),
    [](const ::testing::TestParamInfo<PolicyCase>& info) { return info.param.name; });

// --- Values: whitespace, empty, repeats, conflicts -------------------------------------

struct ValueCase {
  std::string name;
  std::vector<std::string> values;  // one header line each
  std::string outcome;              // "vllm", "rules" or "bad_request"
};

void PrintTo(const ValueCase& c, std::ostream* os) { *os << c.name; }

class ValueTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(ValueTest, DecidesAsDocumented) {
  const ValueCase& c = GetParam();
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, ChatRequest(c.values));
  if (c.outcome == "vllm") {
    EXPECT_TRUE(DecisionIs(r, RoutedByHeader("team/vllm", "team/chat")));
  } else if (c.outcome == "rules") {
    EXPECT_TRUE(DecisionIs(r, ByRulesToOpenai()));
  } else {
    ASSERT_EQ(c.outcome, "bad_request");
    EXPECT_TRUE(DecisionIs(r, BadRequest()));
    EXPECT_FALSE(r->reason.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    StandardHeader, ValueTest,
    ::testing::Values(
        ValueCase{"SpacesTrimmed", {"  vllm  "}, "vllm"},
        ValueCase{"TabsTrimmed", {"\tvllm\t"}, "vllm"},
        ValueCase{"NamespacedValueTrimmed", {" team/vllm "}, "vllm"},
        ValueCase{"EmptyValueRulesDecide", {""}, "rules"},
        ValueCase{"SpacesOnlyRulesDecide", {"   "}, "rules"},
        ValueCase{"TabOnlyRulesDecide", {"\t"}, "rules"},
        // Every item is empty once empty items are dropped.
        ValueCase{"OnlyCommasRulesDecide", {" , ,"}, "rules"},
        ValueCase{"RepeatedSameValue", {"vllm", "vllm"}, "vllm"},
        ValueCase{"RepeatedSameValueAfterTrim", {"vllm", " vllm\t"}, "vllm"},
        ValueCase{"CommaListSameValue", {"vllm, vllm"}, "vllm"},
        ValueCase{"CommaListEmptyItemsDropped", {" vllm ,,vllm,"}, "vllm"},
        ValueCase{"RepeatedWithEmptyLine", {"", "vllm"}, "vllm"},
        ValueCase{"ConflictingHeaders", {"vllm", "openai"}, "bad_request"},
        ValueCase{"ConflictingCommaList", {"vllm,openai"}, "bad_request"},
        ValueCase{"NameAndNamespacedNameConflict", {"vllm", "team/vllm"}, "bad_request"},
        ValueCase{"NameAndNamespacedNameConflictInList", {"team/vllm, vllm"}, "bad_request"},
        ValueCase{"AllowedAndUnknownConflict", {"vllm", "nope"}, "bad_request"},
        ValueCase{"CaseVariantsConflict", {"vllm", "VLLM"}, "bad_request"}),
    [](const ::testing::TestParamInfo<ValueCase>& info) { return info.param.name; });

TEST(StandardHeader, ConflictAcrossHeaderNameCase) {
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(
      Resolve(table,
              ChatRequest({}).Header("X-AI-Gateway-Backend", "vllm").Header(kHeader, "openai")),
      BadRequest()));
}

// --- Routed via the header -----------------------------------------------------------------

TEST(StandardHeader, BeatsAMatchingRule) {
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(DecisionIs(Resolve(table, ChatRequest({})), ByRulesToOpenai()));
  EXPECT_TRUE(
      DecisionIs(Resolve(table, ChatRequest({"vllm"})), RoutedByHeader("team/vllm", "team/chat")));
}

TEST(StandardHeader, RoutesWithoutAnyMatchingRule) {
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Path("/anything").Header(kHeader, "other/tgi")),
                         RoutedByHeader("other/tgi", "team/chat")));
}

TEST(StandardHeader, RoutedReportsNoRuleMatchOverrideOrFallbacks) {
  // other/tgi shares its rule with team/vllm: a rule-based decision would list fallbacks.
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(
      table, Req().Header("x-ai-eg-model", "llama").Header(kHeader, "other/tgi").Entropy(1));
  EXPECT_TRUE(DecisionIs(r, RoutedByHeader("other/tgi", "team/chat")));
  EXPECT_TRUE(r->reason.empty()) << r->reason;
}

TEST(StandardHeader, RoutedReportsTheModel) {
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  Expect e = RoutedByHeader("team/vllm", "team/chat");
  e.model = "gpt-4o";
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), e));
}

TEST(StandardHeader, HeaderNameIsCaseInsensitive) {
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"}, "X-AI-Gateway-Backend")),
                         RoutedByHeader("team/vllm", "team/chat")));
}

TEST(StandardHeader, CustomHeaderName) {
  auto table = MustCompile(ChatConfig("{enabled: true, headerName: X-Pick-Backend}"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"}, "x-pick-backend")),
                         RoutedByHeader("team/vllm", "team/chat")));
  // The default name means nothing to this route.
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), ByRulesToOpenai()));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm", "openai"})), ByRulesToOpenai()));
}

// --- Reject vs UseRules, and no probing ---------------------------------------------------

TEST(StandardHeader, RejectAnswersBackendNotAllowed) {
  auto table = MustCompile(ChatConfig("{enabled: true, onDisallowed: Reject}"));
  ASSERT_NE(table, nullptr);
  Resolved r = Resolve(table, ChatRequest({"nope"}));
  Expect e = NotAllowed("team/chat");
  e.rule = kNone;
  e.match = kNone;
  e.fallbacks = "[]";
  EXPECT_TRUE(DecisionIs(r, e));
  EXPECT_FALSE(r->reason.empty());
}

TEST(StandardHeader, RejectIsTheDefault) {
  auto table = MustCompile(ChatConfig(kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"nope"})), NotAllowed("team/chat")));
}

TEST(StandardHeader, UseRulesLetsRulesDecide) {
  auto table = MustCompile(ChatConfig("{enabled: true, onDisallowed: UseRules}"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"nope"})), ByRulesToOpenai()));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"declared-only"})), ByRulesToOpenai()));
}

TEST(StandardHeader, UseRulesWithoutMatchingRuleIsNoRoute) {
  auto table = MustCompile(ChatConfig("{enabled: true, onDisallowed: UseRules}"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "nope")), NoRoute()));
}

TEST(StandardHeader, UseRulesStillRoutesAllowedValue) {
  auto table = MustCompile(ChatConfig("{enabled: true, onDisallowed: UseRules}"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, ChatRequest({"vllm"})), RoutedByHeader("team/vllm", "team/chat")));
}

// Renders a decision with every occurrence of `value` replaced: the reason may quote the
// value as sent, and nothing else may differ.
std::string DescribeWithout(const Decision& d, std::string_view value) {
  std::string text = Describe(d);
  for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at)) {
    text.replace(at, value.size(), "<value>");
    at += 7;
  }
  return text;
}

struct ProbeCase {
  std::string name;
  std::string section;
  std::string disallowed;   // exists somewhere, not allowed by the route
  std::string nonexistent;  // exists nowhere
};

void PrintTo(const ProbeCase& c, std::ostream* os) { *os << c.name; }

class ProbeTest : public ::testing::TestWithParam<ProbeCase> {};

TEST_P(ProbeTest, UnknownAndDisallowedLookAlike) {
  const ProbeCase& c = GetParam();
  auto table = MustCompile(ChatConfig(c.section));
  ASSERT_NE(table, nullptr);
  Resolved disallowed = Resolve(table, ChatRequest({c.disallowed}).Entropy(5));
  Resolved nonexistent = Resolve(table, ChatRequest({c.nonexistent}).Entropy(5));
  EXPECT_FALSE(disallowed->status == DecisionStatus::kRouted &&
               disallowed->via == Via::kStandardHeader)
      << Describe(*disallowed);
  EXPECT_EQ(DescribeWithout(*disallowed, c.disallowed),
            DescribeWithout(*nonexistent, c.nonexistent));
}

INSTANTIATE_TEST_SUITE_P(
    StandardHeader, ProbeTest,
    ::testing::Values(
        ProbeCase{"RejectDeclaredName", kEnabled, "declared-only", "undeclared"},
        ProbeCase{"RejectOtherNamespace", kEnabled, "other/elsewhere", "nowhere/elsewhere"},
        ProbeCase{"RejectReferencedElsewhere", kEnabled, "side/own", "side/gone"},
        ProbeCase{"RejectSameNamespacePolicy", kSameNamespace, "other/tgi", "other/tgx"},
        ProbeCase{"RejectExplicitPolicy", kExplicit, "openai", "openaj"},
        ProbeCase{"UseRulesDeclaredName", "{enabled: true, onDisallowed: UseRules}",
                  "declared-only", "undeclared"}),
    [](const ::testing::TestParamInfo<ProbeCase>& info) { return info.param.name; });

// --- Compile options --------------------------------------------------------------------

CompileOptions OptionsEnabling(std::string header = kHeader,
                               AllowedBackends policy = AllowedBackends::kRulesOnly,
                               OnDisallowed on_disallowed = OnDisallowed::kReject) {
  CompileOptions options;
  options.standard_header.enabled = true;
  options.standard_header.header_name = std::move(header);
  options.standard_header.allowed_backends = policy;
  options.standard_header.on_disallowed = on_disallowed;
  return options;
}

// In these tests side/side has `enabled: false`, so only team/chat takes the options.
constexpr char kSideOff[] = "{enabled: false}";

TEST(StandardHeaderOptions, EnableRoutesWithoutSection) {
  auto table = MustCompile(ChatConfig("", kSideOff), OptionsEnabling());
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, ChatRequest({"vllm"})), RoutedByHeader("team/vllm", "team/chat")));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"declared-only"})), NotAllowed("team/chat")));
}

TEST(StandardHeaderOptions, DefaultIsDisabled) {
  auto table = MustCompile(ChatConfig(""), CompileOptions());
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), ByRulesToOpenai()));
}

TEST(StandardHeaderOptions, HeaderName) {
  auto table = MustCompile(ChatConfig("", kSideOff), OptionsEnabling("X-Route-To"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"}, "x-route-to")),
                         RoutedByHeader("team/vllm", "team/chat")));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), ByRulesToOpenai()));
}

TEST(StandardHeaderOptions, SameNamespacePolicy) {
  auto table = MustCompile(ChatConfig("", kSideOff),
                           OptionsEnabling(kHeader, AllowedBackends::kSameNamespace));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"declared-only"})),
                         RoutedByHeader("team/declared-only", "team/chat")));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"other/tgi"})), NotAllowed("team/chat")));
}

TEST(StandardHeaderOptions, UseRules) {
  auto table =
      MustCompile(ChatConfig("", kSideOff),
                  OptionsEnabling(kHeader, AllowedBackends::kRulesOnly, OnDisallowed::kUseRules));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"nope"})), ByRulesToOpenai()));
}

TEST(StandardHeaderOptions, PartialSectionWithoutEnabledIsOff) {
  auto table = MustCompile(ChatConfig("{headerName: x-mine}", kSideOff), OptionsEnabling());
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), ByRulesToOpenai()));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"}, "x-mine")), ByRulesToOpenai()));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"nope"})), ByRulesToOpenai()));
}

TEST(StandardHeaderOptions, OwnSectionWinsAsAWhole) {
  // The route says only `enabled: true`: its header name, policy and onDisallowed are the
  // section's defaults, not the options'.
  auto table = MustCompile(
      ChatConfig(kEnabled, kSideOff),
      OptionsEnabling("x-opt", AllowedBackends::kSameNamespace, OnDisallowed::kUseRules));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, ChatRequest({"vllm"})), RoutedByHeader("team/vllm", "team/chat")));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"}, "x-opt")), ByRulesToOpenai()));
  // RulesOnly and Reject, not SameNamespace and UseRules.
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"declared-only"})), NotAllowed("team/chat")));
}

TEST(StandardHeaderOptions, ExplicitlyDisabledRouteStaysOff) {
  auto table = MustCompile(ChatConfig("{enabled: false}", kSideOff), OptionsEnabling());
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"vllm"})), ByRulesToOpenai()));
}

TEST(StandardHeaderOptions, ApplyToEveryRouteWithoutSection) {
  // side/side and team/chat both take the options; with no timestamps "side/side" comes
  // first in route order.
  auto table = MustCompile(ChatConfig(""), OptionsEnabling());
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"team/shared"})),
                         RoutedByHeader("team/shared", "side/side")));
  EXPECT_TRUE(
      DecisionIs(Resolve(table, ChatRequest({"vllm"})), RoutedByHeader("team/vllm", "team/chat")));
  EXPECT_TRUE(DecisionIs(Resolve(table, ChatRequest({"declared-only"})), NotAllowed("side/side")));
}

// --- Several routes ---------------------------------------------------------------------

// Two routes in namespace team, each enabling the header with its own allowlist
// (RulesOnly). team/zeta is older than team/alpha although its name sorts later, and is
// written second. zeta allows team/a; alpha allows team/b. Both have a catch-all rule.
std::string TwoRoutes(std::string_view zeta_section, std::string_view alpha_section,
                      std::string_view zeta_hosts = "", std::string_view alpha_hosts = "") {
  auto route = [](std::string_view name, std::string_view ts, std::string_view section,
                  std::string_view hosts, std::string_view backend) {
    std::string out = Cat(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: )",
                          name, ", namespace: team, creationTimestamp: \"", ts, R"("}
spec:
  schema: {name: OpenAI}
)");
    if (!section.empty()) out += Cat("  standardRoutingHeader: ", section, "\n");
    if (!hosts.empty()) out += Cat("  hostnames: ", hosts, "\n");
    out += Cat("  rules:\n  - backendRefs: [{name: ", backend, "}]\n");
    return out;
  };
  return Cat(route("alpha", "2022-01-01T00:00:00Z", alpha_section, alpha_hosts, "b"), "---\n",
             route("zeta", "2021-01-01T00:00:00Z", zeta_section, zeta_hosts, "a"), R"(---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: c, namespace: team}
spec: {schema: {name: OpenAI}}
)");
}

constexpr char kUseRules[] = "{enabled: true, onDisallowed: UseRules}";

TEST(StandardHeaderRoutes, FirstRouteInRouteOrderThatAllowsDecides) {
  auto table = MustCompile(TwoRoutes(kEnabled, kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "a")),
                         RoutedByHeader("team/a", "team/zeta")));
}

TEST(StandardHeaderRoutes, ValueRefusedByFirstAllowedBySecond) {
  auto table = MustCompile(TwoRoutes(kEnabled, kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "b")),
                         RoutedByHeader("team/b", "team/alpha")));
}

TEST(StandardHeaderRoutes, RefusedByAllReportsFirstRejectingRoute) {
  auto table = MustCompile(TwoRoutes(kEnabled, kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "c")), NotAllowed("team/zeta")));
}

TEST(StandardHeaderRoutes, FirstRefusingRouteSayingRejectIsReported) {
  auto table = MustCompile(TwoRoutes(kUseRules, kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "c")), NotAllowed("team/alpha")));
}

TEST(StandardHeaderRoutes, AllRefusingRoutesUseRules) {
  auto table = MustCompile(TwoRoutes(kUseRules, kUseRules));
  ASSERT_NE(table, nullptr);
  // Rules: both catch-alls match; zeta is older.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "c")),
                         RoutedByRule("team/a", "team/zeta", 0, 0)));
}

TEST(StandardHeaderRoutes, RouteWithHeaderOffHasNoSay) {
  // zeta is off: its allowlist (team/a) is not consulted.
  auto table = MustCompile(TwoRoutes("", kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "a")), NotAllowed("team/alpha")));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "b")),
                         RoutedByHeader("team/b", "team/alpha")));
}

TEST(StandardHeaderRoutes, RouteWithHeaderOffCannotReject) {
  auto table = MustCompile(TwoRoutes("{enabled: false}", kUseRules));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "c")),
                         RoutedByRule("team/a", "team/zeta", 0, 0)));
}

TEST(StandardHeaderRoutes, EachRouteReadsItsOwnHeaderName) {
  auto table = MustCompile(
      TwoRoutes("{enabled: true, headerName: x-one}", "{enabled: true, headerName: x-two}"));
  ASSERT_NE(table, nullptr);
  // zeta's header absent: passed over.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-two", "b")),
                         RoutedByHeader("team/b", "team/alpha")));
  // zeta's header empty: passed over.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-one", " ").Header("x-two", "b")),
                         RoutedByHeader("team/b", "team/alpha")));
  // zeta refuses its value; alpha allows its own.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-one", "b").Header("x-two", "b")),
                         RoutedByHeader("team/b", "team/alpha")));
  // zeta allows its value: decided there.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-one", "a").Header("x-two", "b")),
                         RoutedByHeader("team/a", "team/zeta")));
  // zeta refuses (Reject), alpha's header absent.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header("x-one", "b")), NotAllowed("team/zeta")));
  // Neither header: rules.
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "b")),
                         RoutedByRule("team/a", "team/zeta", 0, 0)));
}

TEST(StandardHeaderRoutes, ConflictAtFirstPresentRouteIsBadRequest) {
  auto table = MustCompile(TwoRoutes(kEnabled, kEnabled));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Header(kHeader, "a").Header(kHeader, "b")), BadRequest()));
}

TEST(StandardHeaderRoutes, RouteNotApplicableToHostHasNoSay) {
  auto table = MustCompile(TwoRoutes(kEnabled, kEnabled, "[one.example.com]", "[two.example.com]"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("one.example.com").Header(kHeader, "a")),
                         RoutedByHeader("team/a", "team/zeta")));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("two.example.com").Header(kHeader, "a")),
                         NotAllowed("team/alpha")));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("two.example.com:8080").Header(kHeader, "b")),
                         RoutedByHeader("team/b", "team/alpha")));
}

TEST(StandardHeaderRoutes, IgnoredWhenNoRouteAppliesToHost) {
  auto table = MustCompile(TwoRoutes(kEnabled, kEnabled, "[one.example.com]", "[two.example.com]"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Host("three.example.com").Header(kHeader, "a")), NoRoute()));
  EXPECT_TRUE(DecisionIs(
      Resolve(table, Req().Host("three.example.com").Header(kHeader, "a").Header(kHeader, "b")),
      NoRoute()));
}

TEST(StandardHeaderRoutes, LessSpecificHostRouteHasNoSay) {
  // zeta (*.example.com) enables the header; alpha (x.example.com) does not. For
  // x.example.com only alpha applies, so the header is ignored whatever it holds.
  auto table = MustCompile(TwoRoutes(kEnabled, "", "['*.example.com']", "[x.example.com]"));
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("x.example.com").Header(kHeader, "a")),
                         RoutedByRule("team/b", "team/alpha", 0, 0)));
  EXPECT_TRUE(DecisionIs(
      Resolve(table, Req().Host("x.example.com").Header(kHeader, "a").Header(kHeader, "c")),
      RoutedByRule("team/b", "team/alpha", 0, 0)));
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Host("y.example.com").Header(kHeader, "a")),
                         RoutedByHeader("team/a", "team/zeta")));
}

TEST(StandardHeaderRoutes, RulesOnlyIncludesWeightZeroBackendRefs) {
  // RulesOnly is "the backends that appear in this route's backendRefs (any rule)": a
  // weight-0 ref is never chosen by weight, but it appears, so the client may name it.
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ns}
spec:
  standardRoutingHeader: {enabled: true}
  rules:
  - backendRefs: [{name: main}, {name: standby, weight: 0}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Header(kHeader, "standby")),
                         RoutedByHeader("ns/standby", "ns/web")));
}

TEST(StandardHeaderRoutes, HttpRouteCanEnableTheHeader) {
  auto table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ns}
spec:
  standardRoutingHeader: {enabled: true}
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: a}]
  - matches: [{path: {type: PathPrefix, value: /b}}]
    backendRefs: [{name: b}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(DecisionIs(Resolve(table, Req().Path("/a").Header(kHeader, "b")),
                         RoutedByHeader("ns/b", "ns/web")));
}

TEST(StandardHeaderRoutes, LLMRouteCanEnableTheHeader) {
  auto table = MustCompile(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: llm, namespace: ns}
spec:
  inputSchema: {schema: OpenAI}
  standardRoutingHeader: {enabled: true}
  rules:
  - matches:
    - headers: [{type: Exact, name: x-ai-eg-model, value: llama3-70b}]
    backendRefs: [{name: kserve}]
  - matches:
    - headers: [{type: Exact, name: x-ai-eg-model, value: gpt-4o}]
    backendRefs: [{name: openai}]
)");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(
      DecisionIs(Resolve(table, Req().Header("x-ai-eg-model", "gpt-4o").Header(kHeader, "kserve")),
                 RoutedByHeader("ns/kserve", "ns/llm")));
}

// --- Security property ----------------------------------------------------------------------

// Routes (route order: explicit (no timestamp), api2 (2018), same (2019), rules (2020), quiet):
//   ns2/explicit  hosts [api.example.com]  x-pick                Explicit [c, ns1/a], Reject
//   ns3/api2      hosts [api.example.com]  x-ai-gateway-backend  RulesOnly, UseRules
//   ns1/same      hosts [*.example.com]    x-ai-gateway-backend  SameNamespace, UseRules
//   ns1/rules     no hosts                 x-ai-gateway-backend  RulesOnly, Reject
//   ns3/quiet     no hosts                 header off
// Each rule matches one model and has one backend.
constexpr char kPropertyConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: rules, namespace: ns1, creationTimestamp: "2020-01-01T00:00:00Z"}
spec:
  schema: {name: OpenAI}
  standardRoutingHeader: {enabled: true, allowedBackends: RulesOnly, onDisallowed: Reject}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m-a}]}]
    backendRefs: [{name: a}]
  - matches: [{headers: [{name: x-ai-eg-model, value: m-b}]}]
    backendRefs: [{name: b}]
  - matches: [{headers: [{name: x-ai-eg-model, value: m-c}]}]
    backendRefs: [{name: c, namespace: ns2}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: same, namespace: ns1, creationTimestamp: "2019-01-01T00:00:00Z"}
spec:
  schema: {name: OpenAI}
  hostnames: ['*.example.com']
  standardRoutingHeader: {enabled: true, allowedBackends: SameNamespace, onDisallowed: UseRules}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m-d}]}]
    backendRefs: [{name: d}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: explicit, namespace: ns2}
spec:
  schema: {name: OpenAI}
  hostnames: [api.example.com]
  standardRoutingHeader:
    enabled: true
    headerName: x-pick
    allowedBackends: Explicit
    backends: [c, ns1/a]
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m-e}]}]
    backendRefs: [{name: e}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: api2, namespace: ns3, creationTimestamp: "2018-01-01T00:00:00Z"}
spec:
  schema: {name: OpenAI}
  hostnames: [api.example.com]
  standardRoutingHeader: {enabled: true, onDisallowed: UseRules}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m-f}]}]
    backendRefs: [{name: f}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: quiet, namespace: ns3}
spec:
  schema: {name: OpenAI}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m-g}]}]
    backendRefs: [{name: g, namespace: ns1}]
  - matches: [{headers: [{name: x-ai-eg-model, value: m-j}]}]
    backendRefs: [{name: j}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMBackend
metadata: {name: h, namespace: ns1}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: i, namespace: ns2}
spec: {schema: {name: OpenAI}}
)";

struct ModelRoute {
  std::string ns;
  std::string name;
  std::string header;  // lower-case
  bool reject;
  std::set<std::string> allowed;  // "ns/name"
};

// Written out by hand from kPropertyConfig and docs/routing.md#standard-header.
const std::vector<ModelRoute>& PropertyRoutes() {
  static const auto* routes = new std::vector<ModelRoute>{
      {"ns2", "explicit", "x-pick", true, {"ns2/c", "ns1/a"}},
      {"ns3", "api2", "x-ai-gateway-backend", false, {"ns3/f"}},
      // ns1: declared h; referenced a, b (rules), d (same), g (quiet).
      {"ns1", "same", "x-ai-gateway-backend", false, {"ns1/a", "ns1/b", "ns1/d", "ns1/g", "ns1/h"}},
      {"ns1", "rules", "x-ai-gateway-backend", true, {"ns1/a", "ns1/b", "ns2/c"}},
  };
  return *routes;
}

// Enabled routes applicable to each host, in route order (the most specific
// hostname, docs/routing.md#hosts).
std::vector<const ModelRoute*> EnabledRoutesFor(std::string_view host) {
  const auto& all = PropertyRoutes();
  if (host == "api.example.com" || host == "API.Example.COM:443") return {&all[0], &all[1]};
  if (host == "www.example.com" || host == "a.b.example.com") return {&all[2]};
  return {&all[3]};  // no hostname matches: the routes without hostnames
}

// The rule routes for each model, by host: backend and route, or none.
std::pair<std::string, std::string> RuleFor(std::string_view host, std::string_view model) {
  static const std::map<std::string, std::pair<std::string, std::string>> by_model = {
      {"m-a", {"ns1/a", "ns1/rules"}},    {"m-b", {"ns1/b", "ns1/rules"}},
      {"m-c", {"ns2/c", "ns1/rules"}},    {"m-d", {"ns1/d", "ns1/same"}},
      {"m-e", {"ns2/e", "ns2/explicit"}}, {"m-f", {"ns3/f", "ns3/api2"}},
      {"m-g", {"ns1/g", "ns3/quiet"}},    {"m-j", {"ns3/j", "ns3/quiet"}}};
  std::set<std::string> routes;
  if (host == "api.example.com" || host == "API.Example.COM:443") {
    routes = {"ns2/explicit", "ns3/api2"};
  } else if (host == "www.example.com" || host == "a.b.example.com") {
    routes = {"ns1/same"};
  } else {
    routes = {"ns1/rules", "ns3/quiet"};
  }
  auto it = by_model.find(std::string(model));
  if (it == by_model.end() || !routes.count(it->second.second)) return {};
  return it->second;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

struct ModelDecision {
  DecisionStatus status;
  Via via;
  std::string backend;     // "" when none
  std::string route;       // "" when none
};

// docs/routing.md#standard-header as written, for kPropertyConfig.
ModelDecision Model(std::string_view host,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  const ModelRoute* first_reject = nullptr;
  for (const ModelRoute* route : EnabledRoutesFor(host)) {
    std::vector<std::string> values;
    for (const auto& [name, value] : headers) {
      if (Lower(name) != route->header) continue;
      size_t start = 0;
      while (true) {
        size_t comma = value.find(',', start);
        std::string item = Trim(std::string_view(value).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!item.empty()) values.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    if (values.empty()) continue;
    bool conflict = std::any_of(values.begin(), values.end(),
                                [&](const std::string& v) { return v != values[0]; });
    if (conflict) {
      // At any route whose header carries a value, the first or one after refusals.
      return {DecisionStatus::kBadRequest, Via::kNone, "", ""};
    }
    std::string full =
        values[0].find('/') == std::string::npos ? Cat(route->ns, "/", values[0]) : values[0];
    if (route->allowed.count(full)) {
      return {DecisionStatus::kRouted, Via::kStandardHeader, full,
              Cat(route->ns, "/", route->name)};
    }
    if (route->reject && first_reject == nullptr) first_reject = route;
  }
  if (first_reject != nullptr) {
    return {DecisionStatus::kBackendNotAllowed, Via::kStandardHeader, "",
            Cat(first_reject->ns, "/", first_reject->name)};
  }
  std::string model;
  for (const auto& [name, value] : headers) {
    if (Lower(name) != "x-ai-eg-model") continue;
    model = model.empty() ? value : Cat(model, ",", value);
  }
  auto [backend, route] = RuleFor(host, model);
  if (backend.empty()) return {DecisionStatus::kNoRoute, Via::kNone, "", ""};
  return {DecisionStatus::kRouted, Via::kRule, backend, route};
}

TEST(StandardHeaderProperty, NeverRoutesOutsideReportingRoutesAllowlist) {
  auto table = MustCompile(kPropertyConfig);
  ASSERT_NE(table, nullptr);
  std::map<std::string, std::set<std::string>> allowlist;
  for (const ModelRoute& r : PropertyRoutes()) allowlist[Cat(r.ns, "/", r.name)] = r.allowed;

  const std::vector<std::string> hosts = {"api.example.com",
                                          "API.Example.COM:443",
                                          "www.example.com",
                                          "a.b.example.com",
                                          "example.com",
                                          "other.org",
                                          ""};
  const std::vector<std::string> names = {"x-ai-gateway-backend", "X-AI-Gateway-Backend", "x-pick",
                                          "X-Pick", "x-other"};
  const std::vector<std::string> atoms = {
      "a",     "b",     "c",     "d",     "e",     "f",     "g",     "h",       "i",
      "j",     "ns1/a", "ns1/b", "ns2/c", "ns1/d", "ns2/e", "ns3/f", "ns1/g",   "ns1/h",
      "ns2/i", "ns3/j", "ns1",   "ns2",   "ns3",   "ns1/",  "/a",    "ns1/a/b", "A",
      "NS1/a", "zzz",   "",      " ",     "\t",    "ns4/a", "*",     "ns1/*"};
  // Names some route allows, drawn more often so that every outcome is exercised.
  const std::vector<std::string> likely = {"a", "b",     "c",     "d",     "f",     "g",
                                           "h", "ns1/a", "ns1/b", "ns2/c", "ns1/d", "ns3/f"};
  const std::vector<std::string> models = {"m-a", "m-b", "m-c", "m-d", "m-e",
                                           "m-f", "m-g", "m-j", "m-x"};

  std::mt19937_64 rng(20240917);
  auto pick = [&rng](const std::vector<std::string>& from) -> const std::string& {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  auto coin = [&rng](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };

  int via_header = 0;
  int not_allowed = 0;
  int bad_request = 0;
  int failures = 0;
  constexpr int kRequests = 5000;
  for (int i = 0; i < kRequests && failures < 10; ++i) {
    Req req = Req().Method("POST").Path("/v1/chat/completions").Entropy(i);
    std::string host = pick(hosts);
    req.SetHost(host);
    std::vector<std::pair<std::string, std::string>> headers;
    if (coin(70)) headers.emplace_back("x-ai-eg-model", pick(models));
    int lines = std::uniform_int_distribution<int>(0, 2)(rng);
    for (int l = 0; l < lines; ++l) {
      std::string value;
      int items = coin(70) ? 1 : std::uniform_int_distribution<int>(2, 3)(rng);
      for (int k = 0; k < items; ++k) {
        if (k > 0) value += coin(50) ? "," : " , ";
        if (coin(20)) value += coin(50) ? " " : "\t";
        value += coin(50) ? pick(likely) : pick(atoms);
        if (coin(20)) value += coin(50) ? " " : "\t";
      }
      headers.emplace_back(pick(names), value);
    }
    for (const auto& [name, value] : headers) req.AddHeader(name, value);

    Resolved r = Resolve(table, std::move(req));
    const Decision& d = *r;

    // The invariant.
    if (d.via == Via::kStandardHeader && d.status == DecisionStatus::kRouted) {
      ++via_header;
      bool ok = d.route.has_value() && d.backend.has_value() && allowlist.count(NsName(*d.route)) &&
                allowlist.at(NsName(*d.route)).count(NsName(*d.backend));
      if (!ok) {
        ++failures;
        ADD_FAILURE() << "routed via standard_header outside the route's allowlist\nrequest: "
                      << r.request().Describe() << "\ndecision: " << Describe(d);
      }
    }

    // The whole of docs/routing.md#standard-header, for this config.
    ModelDecision want = Model(host, headers);
    if (d.status == DecisionStatus::kBackendNotAllowed) ++not_allowed;
    if (d.status == DecisionStatus::kBadRequest) ++bad_request;
    Expect e{.status = want.status,
             .backend = want.backend.empty() ? std::string(kNull) : want.backend,
             .route = want.route.empty() ? std::string(kNull) : want.route};
    if (want.via != Via::kNone) e.via = want.via;
    ::testing::AssertionResult ok = DecisionIs(r, e);
    if (!ok) {
      ++failures;
      ADD_FAILURE() << ok.message();
    }
  }
  // The property must have been exercised, not passed vacuously.
  std::cout << "routed via standard_header: " << via_header
            << ", backend_not_allowed: " << not_allowed << ", bad_request: " << bad_request
            << " of " << kRequests << "\n";
  EXPECT_GT(via_header, kRequests / 20);
  EXPECT_GT(not_allowed, kRequests / 20);
  EXPECT_GT(bad_request, kRequests / 50);
}

}  // namespace
}  // namespace llmroute::test
