// Regex conditions are found through their literal prefix, not run one by one; whatever
// the index does, the winner must be the one a plain scan in precedence order would find.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "re2/re2.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

// Patterns with long, short, shared, case-folded and missing literal prefixes.
const std::vector<std::string> kPatterns = {
    "gpt-4o",           "gpt-4o-.*",     "gpt-4.*",      "gpt-[0-9]+o?",   "(?i)GPT-5.*",
    "claude-(3|4)-.*",  "claude-.*",     ".*-preview",   "(a|b)c[0-9]",    "llama-3\\.1-[0-9]+b",
    "llama-.*-instruct", "[a-z]+",       "x{2,3}y",      "",               "model-1",
    "model-1[0-9]",     "model-.*"};

std::string Config() {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\n"
      "metadata: {name: r}\nspec:\n  rules:\n";
  for (std::size_t i = 0; i < kPatterns.size(); ++i) {
    yaml += "  - matches: [{headers: [{type: RegularExpression, name: x-ai-eg-model, value: '" +
            kPatterns[i] + "'}]}]\n    backendRefs: [{name: b" + std::to_string(i) + "}]\n";
  }
  return yaml;
}

TEST(RegexIndex, WinnerEqualsFirstFullMatchInRuleOrder) {
  auto table = MustCompile(Config());
  ASSERT_NE(table, nullptr);
  std::vector<std::unique_ptr<RE2>> regexes;
  regexes.reserve(kPatterns.size());
  for (const std::string& pattern : kPatterns) regexes.push_back(std::make_unique<RE2>(pattern));

  const std::vector<std::string> pieces = {"gpt", "-", "4", "o", "GPT", "5", "claude", "3", "llama",
                                           ".1", "8b", "instruct", "preview", "a", "c", "x", "y",
                                           "model", "1", "12", "Z", ""};
  std::mt19937 rng(1234);
  int routed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string value;
    for (int k = rng() % 5; k >= 0; --k) value += pieces[rng() % pieces.size()];
    int expected = -1;
    for (std::size_t i = 0; i < regexes.size() && expected < 0; ++i) {
      if (RE2::FullMatch(value, *regexes[i])) expected = static_cast<int>(i);
    }
    Resolved r = Resolve(table, Req().Header("x-ai-eg-model", value));
    if (expected < 0) {
      EXPECT_EQ(r->status, DecisionStatus::kNoRoute) << value;
    } else {
      ASSERT_EQ(r->status, DecisionStatus::kRouted) << value;
      EXPECT_EQ(r->backend->name, "b" + std::to_string(expected)) << value;
      ++routed;
    }
  }
  EXPECT_GT(routed, 1000);
}

}  // namespace
}  // namespace llmroute::test
