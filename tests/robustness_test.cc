// Bad input of any kind gets a clear error or a decision, never a crash, a hang or
// undefined behaviour. Each test pins one hostile input found by the fuzzers in
// tests/fuzz or by the command-line checks, with the behaviour the library promises for it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "llmroute/decision.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

std::string Message(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

std::string Repeat(std::string_view text, std::size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

constexpr char kModelRoute[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns}
spec:
  schema: {name: OpenAI}
  standardRoutingHeader: {enabled: true}
  rules:
  - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
    backendRefs: [{name: a, weight: 3}, {name: b, weight: 1}]
  - matches: [{headers: [{type: RegularExpression, name: x-ai-eg-model, value: "llama-.*"}]}]
    backendRefs: [{name: c}]
)";

TEST(RobustnessTest, DeeplyNestedYamlFlowIsAnErrorWithItsPlace) {
  const std::string text = "a: " + Repeat("[", 100000) + Repeat("]", 100000) + "\n";
  absl::StatusOr<Config> config = LoadConfigText(text, "deep.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(config.status()).rfind("deep.yaml:1:", 0), 0u) << config.status();
  EXPECT_NE(Message(config.status()).find("nested too deeply"), std::string::npos)
      << config.status();
}

TEST(RobustnessTest, DeeplyNestedYamlBlockIsAnErrorWithItsPlace) {
  std::string text = "a:\n";
  for (int i = 1; i < 3000; ++i) text += std::string(i, ' ') + "- \n";
  absl::StatusOr<Config> config = LoadConfigText(text, "deep.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(Message(config.status()).rfind("deep.yaml:", 0), 0u) << config.status();
  EXPECT_NE(Message(config.status()).find("nested too deeply"), std::string::npos)
      << config.status();
}

TEST(RobustnessTest, DeeplyNestedJsonIsAnErrorNotAStackOverflow) {
  for (const std::string& text :
       {Repeat("[", 100000) + Repeat("]", 100000),
        "{" + Repeat("\"a\": {", 50000) + Repeat("}", 50001)}) {
    absl::StatusOr<Config> config = LoadConfigText(text, "deep.json");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(Message(config.status()).rfind("deep.json:", 0), 0u) << config.status();
    EXPECT_NE(Message(config.status()).find("nested too deeply"), std::string::npos)
        << config.status();
  }
}

TEST(RobustnessTest, AliasExpansionBombIsAnError) {
  std::string text = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
)";
  for (int level = 1; level <= 8; ++level) {
    const std::string previous = "*a" + std::to_string(level - 1);
    text += "x" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + previous;
    for (int i = 1; i < 9; ++i) text += "," + previous;
    text += "]\n";
  }
  text += "spec:\n  rules: *a8\n";
  absl::StatusOr<Config> config = LoadConfigText(text, "laughs.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(Message(config.status()).rfind("laughs.yaml:", 0), 0u) << config.status();
  EXPECT_NE(Message(config.status()).find("aliases are expanded"), std::string::npos)
      << config.status();
}

TEST(RobustnessTest, BinaryGarbageIsAnErrorNamingTheFile) {
  std::string text;
  uint64_t state = 42;
  for (int i = 0; i < 100000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    text.push_back(static_cast<char>(state >> 56));
  }
  absl::StatusOr<Config> config = LoadConfigText(text, "garbage.bin");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(Message(config.status()).rfind("garbage.bin:", 0), 0u) << config.status();
}

TEST(RobustnessTest, EmptyConfigCompilesToATableThatRoutesNothing) {
  for (std::string_view text : {"", "\n", "---\n", "# only a comment\n", "[]", "{}"}) {
    absl::StatusOr<Config> config = LoadConfigText(text, "empty.yaml");
    if (!config.ok()) {
      // An empty JSON object is not a document of any kind: an error is fine too, but it
      // must say where.
      EXPECT_EQ(Message(config.status()).rfind("empty.yaml", 0), 0u) << config.status();
      continue;
    }
    absl::StatusOr<std::shared_ptr<const RoutingTable>> table = Compile(*config);
    ASSERT_TRUE(table.ok()) << table.status();
    Resolved r = Resolve(*table, Req().Header("x-ai-gateway-backend", "a"));
    EXPECT_EQ(r->status, DecisionStatus::kNoRoute) << "config: " << text;
    EXPECT_FALSE(r->route.has_value());
  }
}

TEST(RobustnessTest, HundredThousandRepeatedModelHeadersAreJoined) {
  std::shared_ptr<const RoutingTable> table = MustCompile(kModelRoute);
  ASSERT_NE(table, nullptr);
  Req req;
  for (int i = 0; i < 100000; ++i) req.AddHeader("x-ai-eg-model", "gpt-4o");
  Resolved r = Resolve(table, std::move(req));
  // Joined by "," the value is no longer "gpt-4o" (docs/routing.md#matching).
  EXPECT_EQ(r->status, DecisionStatus::kNoRoute);
  ASSERT_TRUE(r->model.has_value());
  EXPECT_EQ(r->model->size(), 100000 * 7 - 1);
}

TEST(RobustnessTest, HundredThousandRepeatedStandardHeadersWithOneValueRoute) {
  std::shared_ptr<const RoutingTable> table = MustCompile(kModelRoute);
  ASSERT_NE(table, nullptr);
  Req req;
  for (int i = 0; i < 100000; ++i) req.AddHeader("X-AI-Gateway-Backend", i % 2 ? " b" : "b,,");
  Resolved r = Resolve(table, std::move(req));
  EXPECT_EQ(r->status, DecisionStatus::kRouted);
  EXPECT_EQ(r->via, Via::kStandardHeader);
  ASSERT_TRUE(r->backend.has_value());
  EXPECT_EQ(NsName(*r->backend), "ns/b");
}

TEST(RobustnessTest, HugeHeaderValuesAndPathAreMatchedNotCopied) {
  std::shared_ptr<const RoutingTable> table = MustCompile(kModelRoute);
  ASSERT_NE(table, nullptr);
  const std::string model = "llama-" + std::string(16 << 20, 'x');
  Resolved r = Resolve(table, Req()
                                  .Path("/" + std::string(16 << 20, 'p') + "?" +
                                        Repeat("a=%zz&", 100000))
                                  .Header("x-ai-eg-model", model)
                                  .Header(std::string(1 << 20, 'h'), "v"));
  EXPECT_EQ(r->status, DecisionStatus::kRouted);
  ASSERT_TRUE(r->backend.has_value());
  EXPECT_EQ(NsName(*r->backend), "ns/c");
}

TEST(RobustnessTest, ControlBytesAndInvalidUtf8InRequestAreJustBytes) {
  std::shared_ptr<const RoutingTable> table = MustCompile(kModelRoute);
  ASSERT_NE(table, nullptr);
  const std::string nul_model("gpt-4o\0", 7);
  Resolved r = Resolve(table, Req()
                                  .Method(std::string("P\0ST", 4))
                                  .Host("\xff\xfe:\x80")
                                  .Path(std::string("/\0?\xc3\x28=\0", 7))
                                  .Header(std::string("\0", 1), "\xff")
                                  .Header("x-ai-eg-model", nul_model));
  EXPECT_EQ(r->status, DecisionStatus::kNoRoute);
  ASSERT_TRUE(r->model.has_value());
  EXPECT_EQ(*r->model, nul_model);
}

TEST(RobustnessTest, ExtremeEntropiesChooseWithinTheTier) {
  std::shared_ptr<const RoutingTable> table = MustCompile(kModelRoute);
  ASSERT_NE(table, nullptr);
  for (uint64_t entropy : {uint64_t{0}, uint64_t{1}, ~uint64_t{0}, ~uint64_t{0} - 1,
                           uint64_t{1} << 63, uint64_t{0x61C8864680B583EB}}) {
    Resolved r = Resolve(table, Req().Header("x-ai-eg-model", "gpt-4o").Entropy(entropy));
    ASSERT_EQ(r->status, DecisionStatus::kRouted) << entropy;
    ASSERT_EQ(r->fallbacks.size(), 1u) << entropy;
    EXPECT_NE(NsName(*r->backend), NsName(r->fallbacks[0].backend)) << entropy;
  }
}

}  // namespace
}  // namespace llmroute::test
