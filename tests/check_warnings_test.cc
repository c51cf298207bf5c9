// `check`'s warnings: rules that can never win, duplicated allowlist entries,
// `backends` without Explicit. Each with its place in the file.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/load.h"
#include "llmroute/table.h"

namespace llmroute {
namespace {

std::vector<std::string> Warnings(const std::string& yaml) {
  absl::StatusOr<Config> config = LoadConfigText(yaml, "w.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return {};
  auto table = Compile(*config);
  EXPECT_TRUE(table.ok()) << table.status();
  if (!table.ok()) return {};
  std::vector<std::string> lines;
  for (const Diagnostic& warning : (*table)->warnings()) lines.push_back(warning.ToString());
  return lines;
}

const char kHead[] =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n";

TEST(CheckWarnings, RuleWithTheSameMatchAsAnEarlierRuleCanNeverWin) {
  const auto warnings = Warnings(std::string(kHead) +
                                 "  - matches: [{headers: [{name: x-m, value: a}]}]\n"
                                 "    backendRefs: [{name: b1}]\n"
                                 "  - matches: [{headers: [{name: x-m, value: a}]}]\n"
                                 "    backendRefs: [{name: b2}]\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "w.yaml:8:5: warning: spec.rules[1]: rule 1 can never win: every request it matches "
            "is taken first by spec.rules[0].matches[0]");
}

TEST(CheckWarnings, CatchAllShadowsALaterLessSpecificRuleOnly) {
  // Rule 0 (PathPrefix /v1) takes every /v1/... request rule 2 could match; rule 1 adds a
  // header, so it ranks first and still wins some requests.
  const auto warnings = Warnings(std::string(kHead) +
                                 "  - matches: [{path: {value: /v1}}]\n"
                                 "    backendRefs: [{name: b1}]\n"
                                 "  - matches: [{path: {value: /v1}, headers: [{name: x, value: z}]}]\n"
                                 "    backendRefs: [{name: b2}]\n"
                                 "  - matches: [{path: {value: /v1}}]\n"
                                 "    backendRefs: [{name: b3}]\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("spec.rules[2]: rule 2 can never win"), std::string::npos) << warnings[0];
}

TEST(CheckWarnings, RuleWithOneLiveMatchIsNotReported) {
  const auto warnings = Warnings(std::string(kHead) +
                                 "  - matches: [{path: {value: /a}}]\n"
                                 "    backendRefs: [{name: b1}]\n"
                                 "  - matches: [{path: {value: /a}}, {path: {value: /b}}]\n"
                                 "    backendRefs: [{name: b2}]\n");
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST(CheckWarnings, SameMatchInAnotherRouteIsNotReported) {
  // Routes may apply to different hosts; only same-route shadowing is certain.
  const auto warnings = Warnings(
      std::string(kHead) + "  - backendRefs: [{name: b1}]\n---\n"
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r2}\nspec:\n"
      "  rules:\n  - backendRefs: [{name: b2}]\n");
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST(CheckWarnings, DuplicatedAllowlistEntryIsWarnedAtItsSecondOccurrence) {
  const auto warnings = Warnings(
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\nmetadata: {name: r}\nspec:\n"
      "  standardRoutingHeader:\n    enabled: true\n    allowedBackends: Explicit\n"
      "    backends: [a, default/a]\n"
      "  rules: [{backendRefs: [{name: a}]}]\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "w.yaml:8:19: warning: spec.standardRoutingHeader.backends[1]: backend \"default/a\" "
            "is already in this allowlist");
}

TEST(CheckWarnings, BackendsWithoutExplicitAreIgnoredWithAWarning) {
  const auto warnings = Warnings(
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\nmetadata: {name: r}\nspec:\n"
      "  standardRoutingHeader: {enabled: true, backends: [a]}\n"
      "  rules: [{backendRefs: [{name: a}]}]\n");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("spec.standardRoutingHeader.backends: backends is read only with "
                             "allowedBackends: Explicit"),
            std::string::npos)
      << warnings[0];
}

}  // namespace
}  // namespace llmroute
