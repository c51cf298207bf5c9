// Hostile requests and configs, each with the outcome the README's "Limits and bad input"
// table states: what resolve decides for oversized, repeated, encoded and malformed
// request parts, and which error a config gets for every configured limit exceeded by one.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "llmroute/decision.h"
#include "llmroute/load.h"
#include "llmroute/table.h"
#include "re2/re2.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

std::string Repeat(std::string_view text, std::size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

std::string BackendOf(const Resolved& r) { return Render(r->backend); }

// --- Requests --------------------------------------------------------------------------

constexpr char kPaths[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: paths, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: short}]
  - matches: [{path: {type: PathPrefix, value: /a/a/a}}]
    backendRefs: [{name: deep}]
  - matches: [{path: {type: Exact, value: /v1/a%2Fb}}]
    backendRefs: [{name: encoded}]
  - matches: [{path: {type: PathPrefix, value: /v1/chat}}]
    backendRefs: [{name: chat}]
  - matches: [{path: {type: Exact, value: /p%zz}}]
    backendRefs: [{name: bad-escape}]
  - matches: [{path: {type: Exact, value: /p%}}]
    backendRefs: [{name: lone-percent}]
  - matches: [{path: {type: Exact, value: /p%00}}]
    backendRefs: [{name: encoded-nul}]
)";

TEST(HostileRequest, PathOf64KiBOfASegmentsTakesTheLongestPrefix) {
  auto table = MustCompile(kPaths);
  ASSERT_NE(table, nullptr);
  const std::string path = Repeat("/a", 32 * 1024);  // 64 KiB, 32,768 segments
  ASSERT_EQ(path.size(), 64u * 1024);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path(path))), "ns/deep");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path(path + "x"))), "ns/deep");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/a/a"))), "ns/short");
}

// Paths are compared as sent: no percent-decoding, so an encoded slash is no segment
// boundary and an escape matches only itself, valid or not.
TEST(HostileRequest, PercentInPathsIsComparedAsWritten) {
  auto table = MustCompile(kPaths);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/v1/a%2Fb"))), "ns/encoded");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/v1/a/b"))), kNull);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/v1/a%2fb"))), kNull);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/v1%2Fchat"))), kNull);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/v1/chat%2Fx"))), kNull);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/p%zz"))), "ns/bad-escape");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/p%"))), "ns/lone-percent");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/p%00"))), "ns/encoded-nul");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path(std::string("/p\0", 3)))), kNull);
}

constexpr char kQueries[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: q, namespace: ns}
spec:
  rules:
  - matches: [{queryParams: [{name: slash, value: /}]}]
    backendRefs: [{name: slash}]
  - matches: [{queryParams: [{name: nul, type: RegularExpression, value: '\x00'}]}]
    backendRefs: [{name: nul}]
  - matches: [{queryParams: [{name: bad, value: '%zz'}]}]
    backendRefs: [{name: bad-escape}]
  - matches: [{queryParams: [{name: lone, value: 'x%'}]}]
    backendRefs: [{name: lone-percent}]
)";

// Query names and values are percent-decoded: %2F is '/', %00 one NUL byte; an invalid
// or cut-off escape stays as written.
TEST(HostileRequest, PercentInQueriesIsDecodedInvalidEscapesKept) {
  auto table = MustCompile(kQueries);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?slash=%2F"))), "ns/slash");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?slash=%2f"))), "ns/slash");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?nul=%00"))), "ns/nul");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?nul=%2500"))), kNull);
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?bad=%zz"))), "ns/bad-escape");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?b%61d=%zz"))), "ns/bad-escape");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?lone=x%"))), "ns/lone-percent");
  EXPECT_EQ(BackendOf(Resolve(table, Req().Path("/?lone=x%25"))), "ns/lone-percent");
}

constexpr char kModels[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  schema: {name: OpenAI}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
    backendRefs: [{name: openai}]
  - matches: [{headers: [{type: RegularExpression, name: x-ai-eg-model, value: "llama-.*"}]}]
    backendRefs: [{name: llama}]
)";

TEST(HostileRequest, ThousandHeadersWithTheModelLast) {
  auto table = MustCompile(kModels);
  ASSERT_NE(table, nullptr);
  Req request;
  for (int i = 0; i < 999; ++i) request.AddHeader(Cat("x-header-", i), "value");
  request.AddHeader("X-AI-EG-Model", "gpt-4o");
  Resolved r = Resolve(table, std::move(request));
  EXPECT_EQ(BackendOf(r), "ns/openai");
  EXPECT_EQ(Render(r->model), "gpt-4o");
}

TEST(HostileRequest, OneMiBHeaderValueIsMatchedWhole) {
  auto table = MustCompile(kModels);
  ASSERT_NE(table, nullptr);
  const std::string model = "llama-" + std::string((1 << 20) - 6, 'x');
  Resolved r = Resolve(table, Req().Header("x-ai-eg-model", model));
  EXPECT_EQ(BackendOf(r), "ns/llama");
  ASSERT_TRUE(r->model.has_value());
  EXPECT_EQ(r->model->size(), std::size_t{1} << 20);
  // An Exact value is compared whole: a 1 MiB value that starts with it is another value.
  EXPECT_EQ(Resolve(table, Req().Header("x-ai-eg-model", "gpt-4o" + std::string(1 << 20, ' ')))->status,
            DecisionStatus::kNoRoute);
}

TEST(HostileRequest, OneMiBBodyWithTheModelLast) {
  auto table = MustCompile(kModels);
  ASSERT_NE(table, nullptr);
  std::string body = "{\"messages\":[{\"role\":\"user\",\"content\":\"";
  body += std::string((1 << 20) - body.size() - 24, 'x');
  body += "\"}],\"model\":\"gpt-4o\"}";
  body.resize(1 << 20, ' ');
  Resolved r = Resolve(table, Req().Method("POST").Header("x-ai-eg-model", "llama-3").Body(body));
  EXPECT_EQ(r->status, DecisionStatus::kRouted) << r->reason;
  EXPECT_EQ(BackendOf(r), "ns/openai");  // the body's model, not the header's
  EXPECT_EQ(Render(r->model), "gpt-4o");
}

TEST(HostileRequest, BodyNested100000DeepIsABadRequest) {
  auto table = MustCompile(kModels);
  ASSERT_NE(table, nullptr);
  const std::string body = "{\"model\":\"gpt-4o\",\"x\":" + Repeat("[", 100000) + Repeat("]", 100000) + "}";
  Resolved r = Resolve(table, Req().Method("POST").Body(body));
  EXPECT_EQ(r->status, DecisionStatus::kBadRequest);
  EXPECT_EQ(r->http_status, 400);
  EXPECT_EQ(r->reason, "body is nested too deeply");
}

// Header values are bytes: CR, LF and NUL are neither stripped nor a reason to refuse; a
// value holding them is another value.
TEST(HostileRequest, CrLfAndNulInHeaderValuesAreBytes) {
  auto table = MustCompile(kModels);
  ASSERT_NE(table, nullptr);
  for (const std::string& value : {std::string("gpt-4o\r\nx-injected: 1"), std::string("gpt-4o\n"),
                                   std::string("gpt-4o\r"), std::string("gpt-4o\0", 7)}) {
    Resolved r = Resolve(table, Req().Header("x-ai-eg-model", value));
    EXPECT_EQ(r->status, DecisionStatus::kNoRoute);
    EXPECT_EQ(Render(r->model), value);
  }
}

constexpr char kHosts[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: named, namespace: ns}
spec:
  hostnames: [api.example.com]
  rules: [{backendRefs: [{name: named}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: any, namespace: ns}
spec:
  rules: [{backendRefs: [{name: catch-all}]}]
)";

// An IPv6 literal host keeps its brackets when the port is stripped; no configured
// hostname can name one, so only routes without hostnames apply.
TEST(HostileRequest, Ipv6LiteralHostsReachOnlyRoutesWithoutHostnames) {
  auto table = MustCompile(kHosts);
  ASSERT_NE(table, nullptr);
  for (const char* host : {"[::1]", "[::1]:8080", "[2001:db8::1]:443", "::1", "[::1"}) {
    EXPECT_EQ(BackendOf(Resolve(table, Req().Host(host))), "ns/catch-all") << host;
  }
  EXPECT_EQ(BackendOf(Resolve(table, Req().Host("api.example.com:443"))), "ns/named");
}

// --- Configs ---------------------------------------------------------------------------

std::string LoadOrCompileError(const std::string& yaml) {
  absl::StatusOr<Config> config = LoadConfigText(yaml, "test.yaml");
  if (!config.ok()) return std::string(config.status().message());
  auto table = Compile(*config);
  return table.ok() ? "compiled" : std::string(table.status().message());
}

TEST(HostileConfig, HundredMegabyteFileIsRefusedBeforeReading) {
  const std::string path = testing::TempDir() + "hostile_100mb.yaml";
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fclose(file);
  ASSERT_EQ(truncate(path.c_str(), off_t{100} << 20), 0);  // sparse: no 100 MB written
  absl::StatusOr<Config> config = LoadConfigFile(path);
  std::remove(path.c_str());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), path + ": error: file is larger than the limit of 67108864 bytes");
}

TEST(HostileConfig, HundredMegabyteTextIsRefused) {
  const std::string text((std::size_t{100} << 20), '#');
  absl::StatusOr<Config> config = LoadConfigText(text, "big.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "big.yaml: error: config text is larger than the limit of 67108864 bytes");
}

constexpr char kRoutePreamble[] =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n";

TEST(ConfigLimitsByOne, RulesPerRoute) {
  auto route = [](std::size_t rules) {
    return std::string(kRoutePreamble) + "  rules:\n" + Repeat("  - backendRefs: [{name: a}]\n", rules);
  };
  EXPECT_EQ(LoadOrCompileError(route(kMaxRulesPerRoute)), "compiled");
  EXPECT_EQ(LoadOrCompileError(route(kMaxRulesPerRoute + 1)),
            "test.yaml:4102:5: error: spec.rules[4096]: too many rules: at most 4096 a route");
}

TEST(ConfigLimitsByOne, HostnamesPerRoute) {
  auto route = [](std::size_t hostnames) {
    std::string yaml = std::string(kRoutePreamble) + "  hostnames:\n";
    for (std::size_t i = 0; i < hostnames; ++i) yaml += Cat("  - h", i, ".example.com\n");
    return yaml + "  rules: [{backendRefs: [{name: a}]}]\n";
  };
  EXPECT_EQ(LoadOrCompileError(route(kMaxHostnamesPerRoute)), "compiled");
  EXPECT_EQ(LoadOrCompileError(route(kMaxHostnamesPerRoute + 1)),
            "test.yaml:22:5: error: spec.hostnames[16]: too many hostnames: at most 16 a route");
}

TEST(ConfigLimitsByOne, QueryParamsPerMatch) {
  auto route = [](std::size_t params) {
    std::string yaml = std::string(kRoutePreamble) + "  rules:\n  - matches:\n    - queryParams:\n";
    for (std::size_t i = 0; i < params; ++i) yaml += Cat("      - {name: q", i, ", value: v}\n");
    return yaml + "    backendRefs: [{name: a}]\n";
  };
  EXPECT_EQ(LoadOrCompileError(route(kMaxQueryParamsPerMatch)), "compiled");
  EXPECT_EQ(LoadOrCompileError(route(kMaxQueryParamsPerMatch + 1)),
            "test.yaml:24:9: error: spec.rules[0].matches[0].queryParams[16]: too many query params: at most 16 a match");
}

TEST(ConfigLimitsByOne, StandardHeaderBackends) {
  auto route = [](std::size_t backends) {
    std::string yaml =
        "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\nmetadata: {name: r}\nspec:\n"
        "  schema: {name: OpenAI}\n  standardRoutingHeader:\n    enabled: true\n"
        "    allowedBackends: Explicit\n    backends:\n";
    for (std::size_t i = 0; i < backends; ++i) yaml += Cat("    - b", i, "\n");
    yaml += "  rules:\n  - backendRefs:\n";
    for (std::size_t i = 0; i < backends; i += kMaxBackendRefsPerRule) {
      if (i > 0) yaml += "  - backendRefs:\n";
      for (std::size_t k = i; k < backends && k < i + kMaxBackendRefsPerRule; ++k) {
        yaml += Cat("    - {name: b", k, "}\n");
      }
    }
    return yaml;
  };
  EXPECT_EQ(LoadOrCompileError(route(kMaxAllowlistEntries)), "compiled");
  const std::string error = LoadOrCompileError(route(kMaxAllowlistEntries + 1));
  EXPECT_NE(error.find("test.yaml:1034:"), std::string::npos) << error;
  EXPECT_NE(error.find("spec.standardRoutingHeader.backends"), std::string::npos) << error;
  EXPECT_NE(error.find("1024"), std::string::npos) << error;
}

TEST(ConfigLimitsByOne, Weight) {
  auto route = [](int64_t value) {
    return Cat(kRoutePreamble, "  rules:\n  - backendRefs:\n    - {name: a, weight: ", value, "}\n");
  };
  EXPECT_EQ(LoadOrCompileError(route(kMaxWeight)), "compiled");
  EXPECT_EQ(LoadOrCompileError(route(kMaxWeight + 1)),
            "test.yaml:7:25: error: spec.rules[0].backendRefs[0].weight: weight must be at most 1000000");
}

// Priority and mutations are read on AIGatewayRoute backendRefs.
constexpr char kAiRoutePreamble[] =
    "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\nmetadata: {name: r}\nspec:\n"
    "  schema: {name: OpenAI}\n  rules:\n  - backendRefs:\n    - name: a\n";

TEST(ConfigLimitsByOne, Priority) {
  auto route = [](int64_t value) { return Cat(kAiRoutePreamble, "      priority: ", value, "\n"); };
  EXPECT_EQ(LoadOrCompileError(route(kMaxPriority)), "compiled");
  EXPECT_EQ(LoadOrCompileError(route(kMaxPriority + 1)),
            "test.yaml:9:17: error: spec.rules[0].backendRefs[0].priority: priority must be at most 1000000");
}

TEST(ConfigLimitsByOne, MutationEntries) {
  struct Case {
    const char* section;
    const char* field;
    std::string (*entry)(std::size_t);
  };
  for (const Case& c : {Case{"headerMutation", "set", [](std::size_t i) { return Cat("{name: x-h", i, ", value: v}"); }},
                        Case{"headerMutation", "remove", [](std::size_t i) { return Cat("x-r", i); }},
                        Case{"bodyMutation", "set", [](std::size_t i) { return Cat("{path: f", i, ", value: '1'}"); }},
                        Case{"bodyMutation", "remove", [](std::size_t i) { return Cat("f", i); }}}) {
    auto route = [&](std::size_t n) {
      std::string yaml = Cat(kAiRoutePreamble, "      ", c.section, ":\n        ", c.field, ":\n");
      for (std::size_t i = 0; i < n; ++i) yaml += "        - " + c.entry(i) + "\n";
      return yaml;
    };
    EXPECT_EQ(LoadOrCompileError(route(kMaxMutationEntries)), "compiled") << c.section << "." << c.field;
    const std::string error = LoadOrCompileError(route(kMaxMutationEntries + 1));
    // The 17th entry is named (a set entry by its name or path field).
    EXPECT_NE(error.find(Cat("error: spec.rules[0].backendRefs[0].", c.section, ".", c.field, "[16]")),
              std::string::npos)
        << error;
    EXPECT_NE(error.find(Cat(": too many entries in ", c.section, ".", c.field, ": at most 16")), std::string::npos)
        << error;
  }
}

TEST(ConfigLimitsByOne, MutationValueSizes) {
  auto header_value = [](std::size_t bytes) {
    return Cat(kAiRoutePreamble, "      headerMutation:\n        set: [{name: x-h, value: '", std::string(bytes, 'v'),
               "'}]\n");
  };
  EXPECT_EQ(LoadOrCompileError(header_value(kMaxMutationHeaderValue)), "compiled");
  EXPECT_NE(LoadOrCompileError(header_value(kMaxMutationHeaderValue + 1)).find("header value longer than 4096 bytes"),
            std::string::npos);
  auto body_field = [](std::size_t bytes) {
    return Cat(kAiRoutePreamble, "      bodyMutation:\n        remove: ['", std::string(bytes, 'f'), "']\n");
  };
  EXPECT_EQ(LoadOrCompileError(body_field(kMaxMutationBodyPath)), "compiled");
  EXPECT_NE(LoadOrCompileError(body_field(kMaxMutationBodyPath + 1)).find("body field name longer than 256 bytes"),
            std::string::npos);
  auto body_value = [](std::size_t bytes) {  // a JSON string of `bytes` bytes, quotes included
    return Cat(kAiRoutePreamble, "      bodyMutation:\n        set: [{path: f, value: '\"", std::string(bytes - 2, 'x'),
               "\"'}]\n");
  };
  EXPECT_EQ(LoadOrCompileError(body_value(kMaxMutationBodyValue)), "compiled");
  EXPECT_NE(LoadOrCompileError(body_value(kMaxMutationBodyValue + 1)).find("body value longer than 65536 bytes"),
            std::string::npos);
}

// Matches are counted once per table: hostnames and host groups do not multiply them, and
// a rule without matches counts as one. Four routes of 4096 rules of 64 `{}` matches are
// the 1,048,576 a table may hold: a JSON list of routes, a rule a line (each route a
// document just under 1 MiB), loaded once (JSON loads faster than YAML) and trimmed for
// the cases below the limit. The config and table take 775 MB: scripts/ci/tsan.sh leaves
// this single-threaded test out.
TEST(ConfigLimitsByOne, MatchesPerTable) {
  constexpr std::size_t kFullRoutes = kMaxMatchesPerTable / (kMaxRulesPerRoute * kMaxMatchesPerRule);
  static_assert(kFullRoutes * kMaxRulesPerRoute * kMaxMatchesPerRule == kMaxMatchesPerTable);
  // Each route has 16 hostnames: they do not multiply its matches.
  std::string hostnames;
  for (std::size_t h = 0; h < kMaxHostnamesPerRoute; ++h) hostnames += Cat(h ? "," : "", "\"h", h, ".example.com\"");
  auto route_start = [&hostnames](std::size_t r) {
    return Cat("{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"HTTPRoute\",\"metadata\":{\"name\":\"r",
               r, "\"},\"spec\":{\"hostnames\":[", hostnames, "],\"rules\":[\n");
  };
  const std::string rule =
      "{\"matches\":[" + Repeat("{},", kMaxMatchesPerRule - 1) + "{}],\"backendRefs\":[{\"name\":\"a\"}]}";
  std::string json = "[";
  for (std::size_t r = 0; r < kFullRoutes; ++r) {
    json += route_start(r);
    for (std::size_t k = 0; k + 1 < kMaxRulesPerRoute; ++k) json += rule + ",\n";
    json += rule + "]}},\n";
  }
  // Route r4, ordered last by name, on lines 16389-16391: its match is the 1,048,577th.
  json += route_start(kFullRoutes) + "{\"backendRefs\":[{\"name\":\"a\"}],\n\"matches\":[{}]}]}}]\n";
  absl::StatusOr<Config> config = LoadConfigText(json, "test.json");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->routes.size(), kFullRoutes + 1);
  auto compile_error = [&config] {
    absl::StatusOr<std::shared_ptr<const RoutingTable>> table = Compile(*config);
    return table.ok() ? std::string("compiled") : std::string(table.status().message());
  };
  EXPECT_EQ(compile_error(),
            "test.json:16391:12: error: spec.rules[0].matches[0]: too many matches in the table: at most "
            "1048576 (a rule without matches counts as one)");
  // The same rule without its match: its implicit one is too many.
  config->routes.back().rules.front().matches.clear();
  EXPECT_EQ(compile_error(),
            "test.json:16390:1: error: spec.rules[0]: too many matches in the table: at most "
            "1048576 (a rule without matches counts as one)");
  config->routes.pop_back();
  EXPECT_EQ(compile_error(), "compiled");
}

// RE2 compiles a literal into one instruction a byte, and gives the program two thirds of
// the 1 MiB a regular expression may use: the longest literal of `/` and `a`s that fits is
// found with RE2 itself (87,322 `a`s with RE2 2022-06-01), then the library must accept it
// and refuse one more byte. The total budget (500,000 instructions) and the count (4096) of
// a table are far away.
TEST(ConfigLimitsByOne, RegexMemory) {
  auto pattern = [](std::size_t bytes) { return "/" + std::string(bytes, 'a'); };
  auto fits = [&](std::size_t bytes) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kMaxRegexMemory);
    return RE2(pattern(bytes), options).ok();
  };
  std::size_t largest = 1, too_large = std::size_t{1} << 20;  // fits(largest), !fits(too_large)
  ASSERT_TRUE(fits(largest));
  ASSERT_FALSE(fits(too_large));
  while (too_large - largest > 1) {
    const std::size_t middle = largest + (too_large - largest) / 2;
    (fits(middle) ? largest : too_large) = middle;
  }
  // Memory, not the instruction budget, is what stops it.
  ASSERT_GT(largest, 10'000u);
  ASSERT_LT(largest, 500'000u);
  auto route = [&](std::size_t bytes) {
    return Cat(kRoutePreamble, "  rules:\n  - backendRefs: [{name: a}]\n    matches:\n"
               "    - path: {type: RegularExpression, value: ", pattern(bytes), "}\n");
  };
  EXPECT_EQ(LoadOrCompileError(route(largest)), "compiled");
  EXPECT_EQ(LoadOrCompileError(route(largest + 1)),
            "test.yaml:8:46: error: spec.rules[0].matches[0].path.value: regular expression too large: "
            "compiled, it does not fit the 1048576 bytes of memory a regular expression may use (two "
            "thirds of them for its program)");
}

}  // namespace
}  // namespace llmroute::test
