// The maximum body size (CompileOptions::max_body_size): a longer body is a bad_request
// before it is read; the C++ file loader refuses a path with a NUL byte.
#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "llmroute/decision.h"
#include "llmroute/explain.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"
#include "test_support.h"

namespace llmroute {
namespace {

constexpr std::string_view kConfig = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team}
spec:
  rules:
  - matches:
    - headers: [{name: x-ai-eg-model, value: gpt-4o}]
    backendRefs: [{name: azure}]
)";

// A body of exactly `size` bytes naming gpt-4o.
std::string BodyOfSize(std::size_t size) {
  const std::string head = R"({"model":"gpt-4o","messages":[{"content":")";
  const std::string tail = R"("}]})";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

Decision ResolveBody(const RoutingTable& table, std::string_view body) {
  Request request;
  request.body = body;
  return table.Resolve(request);
}

TEST(BodyLimit, AtTheLimitRoutesOneByteOverIsBadRequestNamingTheLimit) {
  CompileOptions options;
  options.max_body_size = 500;
  auto table = test::MustCompile(kConfig, options);
  ASSERT_NE(table, nullptr);
  const std::string at = BodyOfSize(500);
  const Decision routed = ResolveBody(*table, at);
  EXPECT_EQ(routed.status, DecisionStatus::kRouted) << routed.reason;
  EXPECT_EQ(routed.backend->name, "azure");

  const std::string over = BodyOfSize(501);
  const Decision refused = ResolveBody(*table, over);
  EXPECT_EQ(refused.status, DecisionStatus::kBadRequest);
  EXPECT_EQ(refused.http_status, 400);
  EXPECT_EQ(refused.reason, "body is larger than the max body size of 500 bytes");
  Request request;
  request.body = over;
  EXPECT_NE(Explain(*table, request).find("max body size of 500 bytes"), std::string::npos);
}

TEST(BodyLimit, MalformedBodyOverTheLimitGetsTheSizeReason) {
  CompileOptions options;
  options.max_body_size = 10;
  auto table = test::MustCompile(kConfig, options);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(ResolveBody(*table, "{\"model\": not json at all").reason,
            "body is larger than the max body size of 10 bytes");
  EXPECT_EQ(ResolveBody(*table, "{oops").reason, "body is not valid JSON");
}

TEST(BodyLimit, DefaultIs64MiB) {
  EXPECT_EQ(CompileOptions().max_body_size, std::size_t{64} << 20);
  auto table = test::MustCompile(kConfig);
  ASSERT_NE(table, nullptr);
  std::string over(kDefaultMaxBodySize + 1, ' ');
  over.front() = '{';
  EXPECT_EQ(ResolveBody(*table, over).reason,
            "body is larger than the max body size of 67108864 bytes");
}

TEST(BodyLimit, CompileRefusesZeroAndTooLarge) {
  for (std::size_t bad : {std::size_t{0}, kMaxBodySizeLimit + 1}) {
    CompileOptions options;
    options.max_body_size = bad;
    const auto table = test::CompileYaml(kConfig, options);
    ASSERT_FALSE(table.ok()) << bad;
    EXPECT_NE(table.status().message().find("max body size"), std::string_view::npos)
        << table.status();
  }
  CompileOptions largest;
  largest.max_body_size = kMaxBodySizeLimit;
  EXPECT_TRUE(test::CompileYaml(kConfig, largest).ok());
}

TEST(LoadFile, PathWithNulIsRefusedNotCut) {
  // Cut at the NUL, this path names a valid configuration.
  const std::string file = testing::TempDir() + "nul_path_test.yaml";
  {
    std::FILE* out = std::fopen(file.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    std::fwrite(kConfig.data(), 1, kConfig.size(), out);
    std::fclose(out);
  }
  ASSERT_TRUE(LoadConfigFile(file).ok());
  const std::string path = file + std::string("\0/etc/x", 7);
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
  EXPECT_NE(config.status().message().find("NUL byte"), std::string_view::npos)
      << config.status();
  EXPECT_EQ(config.status().message().find('\0'), std::string_view::npos)
      << "the message shows the NUL escaped";
}

}  // namespace
}  // namespace llmroute
