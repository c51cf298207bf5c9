// Compile errors: each bad config fails with one line naming the file, the line
// and column of the offending value, its field path and what is wrong — exactly.
#include <string>

#include "gtest/gtest.h"
#include "llmroute/load.h"
#include "llmroute/table.h"

namespace llmroute {
namespace {

struct BadConfig {
  const char* name;
  const char* yaml;
  const char* error;  // the whole message
};

std::string CompileError(const std::string& yaml) {
  absl::StatusOr<Config> config = LoadConfigText(yaml, "test.yaml");
  if (!config.ok()) return "load failed: " + std::string(config.status().message());
  auto table = Compile(*config);
  if (table.ok()) return "compiled";
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(table.status().message());
}

class CompileErrorTest : public testing::TestWithParam<BadConfig> {};

TEST_P(CompileErrorTest, NamesFileLineColumnFieldAndCause) {
  EXPECT_EQ(CompileError(GetParam().yaml), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    BadConfigs, CompileErrorTest,
    testing::ValuesIn(std::vector<BadConfig>{
    {"BadRegex",
     R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - headers:
      - {type: RegularExpression, name: x-ai-eg-model, value: "(abc"}
    backendRefs: [{name: b}]
)",
     R"(test.yaml:8:63: error: spec.rules[0].matches[0].headers[0].value: invalid regular expression: missing ): (abc)"},
    {"BadHeaderName",
     R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - headers:
      - name: "bad name"
        value: v
    backendRefs: [{name: b}]
)",
     R"(test.yaml:8:15: error: spec.rules[0].matches[0].headers[0].name: invalid header name "bad name": not an HTTP token)"},
    {"BadQueryName",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - queryParams:
      - {name: "a=b", value: v}
    backendRefs: [{name: b}]
)",
     R"(test.yaml:8:16: error: spec.rules[0].matches[0].queryParams[0].name: invalid query param name "a=b": not an HTTP token)"},
    {"DupRuleName",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - name: first
    backendRefs: [{name: a}]
  - name: first
    backendRefs: [{name: b}]
)",
     R"(test.yaml:8:11: error: spec.rules[1].name: duplicate rule name "first" in this route (first at line 6))"},
    {"DupRoute",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules: [{backendRefs: [{name: a}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  namespace: ns
  name: r
spec:
  rules: [{backendRefs: [{name: a}]}]
)",
     R"(test.yaml:11:9: error: metadata.name: duplicate route "ns/r" (first defined at test.yaml:3))"},
    {"UnknownAllowlist",
     R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: r}
spec:
  standardRoutingHeader:
    enabled: true
    allowedBackends: Explicit
    backends: [a, ghost]
  rules:
  - backendRefs: [{name: a}]
)",
     R"(test.yaml:8:19: error: spec.standardRoutingHeader.backends[1]: unknown backend "ghost": no backend document declares it and no backendRef references it)"},
    {"BadHostname",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  hostnames: [ok.example.com, "bad_host!.com"]
  rules: [{backendRefs: [{name: a}]}]
)",
     R"(test.yaml:5:31: error: spec.hostnames[1]: invalid hostname "bad_host!.com": expected DNS labels, optionally led by "*.")"},
    {"PathNoSlash",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - path: {type: Exact, value: v1/chat}
    backendRefs: [{name: a}]
)",
     R"(test.yaml:7:34: error: spec.rules[0].matches[0].path.value: path value "v1/chat" must start with '/')"},
    {"WeightTooBig",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - backendRefs:
    - name: a
      weight: 1000001
)",
     R"(test.yaml:8:15: error: spec.rules[0].backendRefs[0].weight: weight must be at most 1000000)"},
    {"BadStdHeaderName",
     R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: r}
spec:
  standardRoutingHeader:
    enabled: true
    headerName: "x backend"
  rules: [{backendRefs: [{name: a}]}]
)",
     R"(test.yaml:7:17: error: spec.standardRoutingHeader.headerName: invalid header name "x backend")"},
    {"BadPathRegex",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - path:
        type: RegularExpression
        value: "/v1/[a-"
    backendRefs: [{name: a}]
)",
     R"(test.yaml:9:16: error: spec.rules[0].matches[0].path.value: invalid regular expression: missing ]: [a-)"},
    {"BadMethod",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - method: "GET POST"
    backendRefs: [{name: a}]
)",
     R"(test.yaml:7:15: error: spec.rules[0].matches[0].method: invalid method "GET POST")"},
    {"BadQueryRegex",
     R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - queryParams:
      - type: RegularExpression
        name: q
        value: "*x"
    backendRefs: [{name: a}]
)",
     R"(test.yaml:10:16: error: spec.rules[0].matches[0].queryParams[0].value: invalid regular expression: no argument for repetition operator: *)"},
    {"ExplicitNsUnknown",
     R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r, namespace: team}
spec:
  standardRoutingHeader:
    enabled: true
    allowedBackends: Explicit
    backends:
    - a
    - other/a
  rules: [{backendRefs: [{name: a}]}]
)",
     R"(test.yaml:10:7: error: spec.standardRoutingHeader.backends[1]: unknown backend "other/a": no backend document declares it and no backendRef references it)"},
    }),
    [](const testing::TestParamInfo<BadConfig>& info) { return std::string(info.param.name); });

// An HTTPRoute with one rule whose only match lists `count` headers.
std::string RouteWithHeaders(int count) {
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n"
      "  rules:\n  - matches:\n    - headers:\n";
  for (int i = 0; i < count; ++i) yaml += "      - {name: h" + std::to_string(i) + ", value: v}\n";
  return yaml + "    backendRefs: [{name: a}]\n";
}

TEST(CompileLimits, SixteenHeadersAMatchCompileSeventeenDoNot) {
  EXPECT_EQ(CompileError(RouteWithHeaders(16)), "compiled");
  // The 17th header stands on line 24 (7 lines of preamble), its mapping at column 9.
  EXPECT_EQ(CompileError(RouteWithHeaders(17)),
            "test.yaml:24:9: error: spec.rules[0].matches[0].headers[16]: too many headers: at most 16 a match");
}

std::string RuleWithMatches(int count) {
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n"
      "  rules:\n  - matches:\n";
  for (int i = 0; i < count; ++i) yaml += "    - path: {type: Exact, value: /p" + std::to_string(i) + "}\n";
  return yaml + "    backendRefs: [{name: a}]\n";
}

TEST(CompileLimits, SixtyFourMatchesARuleCompileSixtyFiveDoNot) {
  EXPECT_EQ(CompileError(RuleWithMatches(64)), "compiled");
  EXPECT_EQ(CompileError(RuleWithMatches(65)),
            "test.yaml:71:7: error: spec.rules[0].matches[64]: too many matches: at most 64 a rule");
}

std::string RuleWithBackendRefs(int count) {
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n"
      "  rules:\n  - backendRefs:\n";
  for (int i = 0; i < count; ++i) yaml += "    - {name: b" + std::to_string(i) + "}\n";
  return yaml;
}

TEST(CompileLimits, HundredTwentyEightBackendRefsCompileOneMoreDoesNot) {
  EXPECT_EQ(CompileError(RuleWithBackendRefs(128)), "compiled");
  EXPECT_EQ(CompileError(RuleWithBackendRefs(129)),
            "test.yaml:135:7: error: spec.rules[0].backendRefs[128]: too many backendRefs: at most 128 a rule");
}

TEST(CompileLimits, RoutesBeyondTheLimitAreAnError) {
  std::string yaml;
  for (std::size_t i = 0; i <= kMaxRoutes; ++i) {
    yaml += "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r" +
            std::to_string(i) + "}\nspec: {rules: [{backendRefs: [{name: a}]}]}\n";
  }
  const std::string error = CompileError(yaml);
  EXPECT_NE(error.find("too many routes: at most 4096"), std::string::npos) << error;
  EXPECT_NE(error.find("metadata.name"), std::string::npos) << error;
}

// Rules of 64 matches, each with one RegularExpression path `pattern(rule, match)`.
template <typename Pattern>
std::string RegexRoute(int rules, Pattern pattern) {
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n";
  for (int k = 0; k < rules; ++k) {
    yaml += "  - backendRefs: [{name: b}]\n    matches:\n";
    for (int i = 0; i < 64; ++i) {
      yaml += "    - path: {type: RegularExpression, value: '" + pattern(k, i) + "'}\n";
    }
  }
  return yaml;
}

TEST(CompileLimits, AtMost4096RegularExpressionsATable) {
  auto small = [](int k, int i) { return "/m" + std::to_string(k) + "-" + std::to_string(i) + "/.*"; };
  EXPECT_EQ(CompileError(RegexRoute(64, small)), "compiled");
  const std::string error = CompileError(RegexRoute(65, small));
  EXPECT_NE(error.find("spec.rules[64].matches[0].path.value: too many regular expressions: at most 4096"),
            std::string::npos)
      << error;
}

// Bounded repetitions blow a regex up; the table's total is bounded so a small config
// cannot take gigabytes to compile.
TEST(CompileLimits, RegularExpressionProgramsHaveATotalBudget) {
  auto huge = [](int k, int i) { return "/[^/]{0,1000}" + std::to_string(k) + "-" + std::to_string(i); };
  const std::string error = CompileError(RegexRoute(32, huge));
  EXPECT_NE(error.find("regular expressions too large"), std::string::npos) << error;
  EXPECT_NE(error.find("spec.rules[0].matches["), std::string::npos) << error;
}

// Every diagnostic is one line, whatever bytes the config quotes: a value cannot forge a
// second error line, and control bytes and invalid UTF-8 become escapes.
TEST(DiagnosticText, QuotedValuesCannotBreakTheLine) {
  const std::string error = CompileError(
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n"
      "  rules:\n  - matches: [{headers: [{name: \"x\\nfake.yaml:9:9: error: injected\", value: v}]}]\n"
      "    backendRefs: [{name: b}]\n");
  EXPECT_EQ(error,
            "test.yaml:6:33: error: spec.rules[0].matches[0].headers[0].name: invalid header name "
            "\"x\\nfake.yaml:9:9: error: injected\": not an HTTP token");
}

TEST(DiagnosticText, ControlBytesAndInvalidUtf8AreEscapedValidUtf8Kept) {
  Diagnostic diagnostic{Severity::kWarning, {"f.yaml", 2, 3, "kind"}, "bad \x01\x7f\xff\r\t é ✓"};
  EXPECT_EQ(diagnostic.ToString(), "f.yaml:2:3: warning: kind: bad \\x01\\x7f\\xff\\r\\t é ✓");
}

TEST(CompileOptionsErrors, ModelHeaderMustBeAToken) {
  CompileOptions options;
  options.model_header = "x model";
  auto table = Compile(Config(), options);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("not a valid header name"), absl::string_view::npos);
}

TEST(CompileOptionsErrors, DefaultStandardHeaderCannotBeExplicit) {
  CompileOptions options;
  options.standard_header.enabled = true;
  options.standard_header.allowed_backends = AllowedBackends::kExplicit;
  EXPECT_FALSE(Compile(Config(), options).ok());
}

}  // namespace
}  // namespace llmroute
