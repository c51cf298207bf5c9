// Retries: the `retry` section of a rule (its defaults and every way it can be wrong, each
// error naming file:line:col and the field path), the policy a decision carries, and every
// branch of the next-attempt rule.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/explain.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"
#include "test_support.h"

namespace llmroute {
namespace {

// One rule of an AIGatewayRoute with `retry` written as `retry_yaml` (at line 8).
std::string RouteWithRetry(const std::string& retry_yaml) {
  return R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m}]}]
    backendRefs: [{name: a}, {name: b, priority: 1, modelNameOverride: m-b}, {name: c, priority: 2}]
    retry: )" + retry_yaml + "\n";
}

// A request with these headers (and entropy 0), nothing else.
Request WithHeaders(std::span<const Header> headers) {
  Request request;
  request.headers = headers;
  request.entropy = 0;
  return request;
}

std::string LoadError(const std::string& yaml) {
  absl::StatusOr<Config> config = LoadConfigText(yaml, "test.yaml");
  if (config.ok()) return "loaded";
  return std::string(config.status().message());
}

struct BadRetry {
  const char* name;
  const char* retry;
  const char* error;
};

class RetryConfigErrorTest : public testing::TestWithParam<BadRetry> {};

TEST_P(RetryConfigErrorTest, NamesFileLineColumnFieldAndCause) {
  EXPECT_EQ(LoadError(RouteWithRetry(GetParam().retry)), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    BadRetries, RetryConfigErrorTest,
    testing::ValuesIn(std::vector<BadRetry>{
        {"CodeBelowRange", "{codes: [399]}",
         "test.yaml:8:21: error: spec.rules[0].retry.codes[0]: retry code 399 is not an HTTP status from 400 to 599"},
        {"CodeAboveRange", "{codes: [429, 600]}",
         "test.yaml:8:26: error: spec.rules[0].retry.codes[1]: retry code 600 is not an HTTP status from 400 to 599"},
        {"CodeRepeated", "{codes: [503, 429, 503]}",
         "test.yaml:8:31: error: spec.rules[0].retry.codes[2]: retry code 503 is listed twice"},
        {"CodeNotInteger", "{codes: [\"503\"]}",
         "test.yaml:8:21: error: spec.rules[0].retry.codes[0]: expected an integer, got string (remove the quotes)"},
        {"CodesNotList", "{codes: 503}",
         "test.yaml:8:20: error: spec.rules[0].retry.codes: expected a list, got integer"},
        {"AttemptsNegative", "{attempts: -1}",
         "test.yaml:8:23: error: spec.rules[0].retry.attempts: attempts -1 is not from 0 to 16"},
        {"AttemptsTooMany", "{attempts: 17}",
         "test.yaml:8:23: error: spec.rules[0].retry.attempts: attempts 17 is not from 0 to 16"},
        {"AttemptsNotInteger", "{attempts: two}",
         "test.yaml:8:23: error: spec.rules[0].retry.attempts: expected an integer, got string"},
        {"BackoffNoUnit", "{backoff: \"100\"}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: backoff \"100\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, such as 100ms, 1s or 1h30m)"},
        {"BackoffUnknownUnit", "{backoff: 1d}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: backoff \"1d\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, such as 100ms, 1s or 1h30m)"},
        {"BackoffSixDigits", "{backoff: 100000ms}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: backoff \"100000ms\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, such as 100ms, 1s or 1h30m)"},
        {"BackoffFiveParts", "{backoff: 1h1m1s1ms1h}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: backoff \"1h1m1s1ms1h\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, such as 100ms, 1s or 1h30m)"},
        {"BackoffFraction", "{backoff: 1.5s}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: backoff \"1.5s\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, such as 100ms, 1s or 1h30m)"},
        {"BackoffEmpty", "{backoff: \"\"}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: backoff \"\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, such as 100ms, 1s or 1h30m)"},
        {"BackoffNotString", "{backoff: 100}",
         "test.yaml:8:22: error: spec.rules[0].retry.backoff: expected a string, got integer (quote it to make it a string)"},
        {"NotMapping", "[429]",
         "test.yaml:8:12: error: spec.rules[0].retry: expected a mapping, got list"},
    }),
    [](const testing::TestParamInfo<BadRetry>& info) { return std::string(info.param.name); });

RetryConfig LoadedRetry(const std::string& retry_yaml) {
  absl::StatusOr<Config> config = LoadConfigText(RouteWithRetry(retry_yaml), "test.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok() || !config->routes[0].rules[0].retry.has_value()) return {};
  return *config->routes[0].rules[0].retry;
}

TEST(RetryConfig, DefaultsAreNoCodesOneRetryNoBackoff) {
  const RetryConfig retry = LoadedRetry("{}");
  EXPECT_TRUE(retry.codes.empty());
  EXPECT_EQ(retry.attempts, 1u);
  EXPECT_EQ(retry.backoff_ms, 0u);
}

TEST(RetryConfig, AbsentSectionIsNoPolicy) {
  absl::StatusOr<Config> config = LoadConfigText(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - backendRefs: [{name: a}]
  - backendRefs: [{name: b}]
    retry: null
)", "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->routes[0].rules[0].retry.has_value());
  EXPECT_FALSE(config->routes[0].rules[1].retry.has_value());
}

TEST(RetryConfig, DurationsInEveryUnitAndCombination) {
  const std::vector<std::pair<std::string, uint64_t>> durations = {
      {"0s", 0},          {"100ms", 100},        {"1s", 1000},
      {"2m", 120000},     {"1h", 3600000},       {"1h30m", 5400000},
      {"1m1ms", 60001},   {"1s500ms", 1500},     {"99999h", 99999ull * 3600000},
      {"1h1m1s1ms", 3661001}, {"1s1s", 2000}, {"00010ms", 10},
  };
  for (const auto& [text, ms] : durations) {
    EXPECT_EQ(LoadedRetry("{backoff: " + text + "}").backoff_ms, ms) << text;
  }
}

TEST(RetryConfig, ReadOnEveryRouteKind) {
  for (const char* kind : {"apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute",
                           "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute",
                           "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute"}) {
    auto table = test::MustCompile(std::string(kind) + R"(
metadata: {name: r}
spec:
  rules:
  - backendRefs: [{name: a}, {name: b}]
    retry: {codes: [500], attempts: 2, backoff: 5ms}
)");
    ASSERT_NE(table, nullptr) << kind;
    const Decision d = table->Resolve(WithHeaders({}));
    ASSERT_NE(d.retry, nullptr) << kind;
    EXPECT_EQ(std::vector<uint16_t>(d.retry->codes.begin(), d.retry->codes.end()),
              std::vector<uint16_t>{500});
    EXPECT_EQ(d.retry->attempts, 2u);
    EXPECT_EQ(d.retry->backoff_ms, 5u);
  }
}

TEST(RetryConfig, CompileChecksAConfigBuiltByHand) {
  absl::StatusOr<Config> config = LoadConfigText(RouteWithRetry("{codes: [500]}"), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  config->routes[0].rules[0].retry->attempts = 17;
  auto table = Compile(*config);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(),
            "test.yaml:8:12: error: spec.rules[0].retry.attempts: attempts 17 is not from 0 to 16");
  config->routes[0].rules[0].retry->attempts = 1;
  config->routes[0].rules[0].retry->codes = {500, 302};
  table = Compile(*config);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(),
            "test.yaml:8:12: error: spec.rules[0].retry.codes[1]: retry code 302 is not an HTTP status from 400 to 599");
}

// The decision for model `m` of RouteWithRetry(retry_yaml): routed to ns/a, fallbacks ns/b
// (model m-b) then ns/c.
class NextAttemptTest : public testing::Test {
 protected:
  Decision Routed(const std::string& retry_yaml) {
    table_ = test::MustCompile(RouteWithRetry(retry_yaml));
    if (table_ == nullptr) return {};
    headers_ = {Header{"x-ai-eg-model", "m"}};
    return table_->Resolve(WithHeaders(headers_));
  }
  static std::string Next(const Decision& d, uint32_t attempts_made, int last_status) {
    const Fallback* next = NextAttempt(d, attempts_made, last_status);
    if (next == nullptr) return "none";
    std::string out = std::string(next->backend.namespace_) + "/" + std::string(next->backend.name);
    if (next->model_override) out += " model=" + std::string(*next->model_override);
    return out;
  }
  std::shared_ptr<const RoutingTable> table_;
  std::vector<Header> headers_;
};

TEST_F(NextAttemptTest, ConnectionFailureIsAlwaysRetried) {
  const Decision d = Routed("{attempts: 2}");
  ASSERT_NE(d.retry, nullptr);
  EXPECT_EQ(Next(d, 1, 0), "ns/b model=m-b");
  EXPECT_EQ(Next(d, 2, 0), "ns/c");
}

TEST_F(NextAttemptTest, OnlyListedStatusesAreRetried) {
  const Decision d = Routed("{codes: [429, 503], attempts: 2}");
  EXPECT_EQ(Next(d, 1, 429), "ns/b model=m-b");
  EXPECT_EQ(Next(d, 1, 503), "ns/b model=m-b");
  EXPECT_EQ(Next(d, 1, 500), "none");
  EXPECT_EQ(Next(d, 1, 200), "none");
  EXPECT_EQ(Next(d, 2, 503), "ns/c");
}

TEST_F(NextAttemptTest, AttemptsExhausted) {
  const Decision d = Routed("{codes: [503], attempts: 1}");
  EXPECT_EQ(Next(d, 1, 503), "ns/b model=m-b");
  EXPECT_EQ(Next(d, 2, 503), "none");  // a fallback is left, the retries are not
}

TEST_F(NextAttemptTest, ZeroAttemptsNeverRetries) {
  const Decision d = Routed("{codes: [503], attempts: 0}");
  ASSERT_NE(d.retry, nullptr);
  EXPECT_EQ(Next(d, 1, 503), "none");
  EXPECT_EQ(Next(d, 1, 0), "none");
}

TEST_F(NextAttemptTest, FallbacksExhausted) {
  const Decision d = Routed("{codes: [503], attempts: 16}");
  EXPECT_EQ(Next(d, 2, 503), "ns/c");
  EXPECT_EQ(Next(d, 3, 503), "none");  // retries are left, the fallbacks are not
}

TEST_F(NextAttemptTest, NoAttemptMadeIsNone) {
  const Decision d = Routed("{attempts: 2}");
  EXPECT_EQ(Next(d, 0, 0), "none");
}

TEST(NextAttempt, DecisionsWithoutAPolicy) {
  auto table = test::MustCompile(R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: m}]}]
    backendRefs: [{name: a}, {name: b, priority: 1}]
    retry: {attempts: 2}
  - matches: [{headers: [{name: x-ai-eg-model, value: plain}]}]
    backendRefs: [{name: a}, {name: b, priority: 1}]
  - matches: [{headers: [{name: x-ai-eg-model, value: retired}]}]
    backendRefs: [{name: a, weight: 0}]
    retry: {attempts: 2}
  standardRoutingHeader: {enabled: true}
)");
  ASSERT_NE(table, nullptr);
  const auto resolve = [&](std::vector<Header> headers) {
    return table->Resolve(WithHeaders(headers));
  };
  // A rule without `retry`.
  const Decision plain = resolve({{"x-ai-eg-model", "plain"}});
  EXPECT_EQ(plain.status, DecisionStatus::kRouted);
  EXPECT_EQ(plain.retry, nullptr);
  EXPECT_EQ(NextAttempt(plain, 1, 0), nullptr);
  // The standard header names a backend, not a rule: no policy.
  const Decision standard = resolve({{"x-ai-eg-model", "m"}, {"x-ai-gateway-backend", "b"}});
  EXPECT_EQ(standard.via, Via::kStandardHeader);
  EXPECT_EQ(standard.retry, nullptr);
  EXPECT_EQ(NextAttempt(standard, 1, 0), nullptr);
  // no_backend: the rule has a policy, the decision (not routed) carries none.
  const Decision no_backend = resolve({{"x-ai-eg-model", "retired"}});
  EXPECT_EQ(no_backend.status, DecisionStatus::kNoBackend);
  EXPECT_EQ(no_backend.retry, nullptr);
  EXPECT_EQ(NextAttempt(no_backend, 1, 0), nullptr);
  // no_route and bad_request.
  EXPECT_EQ(resolve({{"x-ai-eg-model", "other"}}).retry, nullptr);
  const Decision bad = resolve({{"x-ai-eg-model", "m"}, {"x-ai-gateway-backend", "a"},
                                {"x-ai-gateway-backend", "b"}});
  EXPECT_EQ(bad.status, DecisionStatus::kBadRequest);
  EXPECT_EQ(bad.retry, nullptr);
}

TEST(RetryExplain, NamesThePolicyAndEachRetrysBackend) {
  auto table = test::MustCompile(RouteWithRetry("{codes: [503], attempts: 3, backoff: 250ms}"));
  ASSERT_NE(table, nullptr);
  std::vector<Header> headers = {{"x-ai-eg-model", "m"}};
  const std::string report = Explain(*table, WithHeaders(headers));
  EXPECT_NE(report.find("fallbacks ns/b (model \"m-b\") ns/c\n"), std::string::npos) << report;
  EXPECT_NE(report.find("retry: up to 3 retries after a connection failure or timeout or status "
                        "503, backoff 250 ms\n  retry 1: ns/b with model \"m-b\"\n  retry 2: ns/c\n"
                        "  retry 3: none (no fallback left)\n"),
            std::string::npos)
      << report;
}

}  // namespace
}  // namespace llmroute
