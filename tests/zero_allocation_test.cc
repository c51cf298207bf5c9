// resolve allocates nothing on the heap once the thread is warm: every benchmark workload,
// counted by a replaced operator new (per thread, so other tests' threads do not count).
#include <string>

#include "allocation_counter.h"
#include "gtest/gtest.h"
#include "llmroute/health.h"
#include "llmroute/table.h"
#include "workloads.h"

namespace llmroute::bench {
namespace {

// What the counted pass saw besides allocations.
struct PassCounts {
  uint64_t allocations = 0;
  int routed = 0;
  int affinity = 0;
  int panic = 0;
};

// Resolves every request once to warm the thread up (with `health`, when given), then
// again counting allocations.
PassCounts CountSecondPass(const RoutingTable& table, std::vector<OwnedRequest>& owned,
                           const HealthView* health = nullptr) {
  std::vector<Request> requests = Views(owned);
  for (Request& request : requests) request.health = health;
  for (const Request& request : requests) table.Resolve(request);
  PassCounts counts;
  const uint64_t before = AllocationsOnThisThread();
  for (const Request& request : requests) {
    const Decision decision = table.Resolve(request);
    counts.routed += decision.status == DecisionStatus::kRouted;
    counts.affinity += decision.affinity;
    counts.panic += decision.panic;
  }
  counts.allocations = AllocationsOnThisThread() - before;
  EXPECT_GT(counts.routed, 0);  // the workload exercises the routed path, not only refusals
  return counts;
}

uint64_t AllocationsOfSecondPass(const RoutingTable& table, std::vector<OwnedRequest>& owned) {
  return CountSecondPass(table, owned).allocations;
}

TEST(ZeroAllocation, ModelRouting) {
  for (int n : {10, 1000, 4000}) {
    auto owned = ModelRequests(n, 512, 1);
    EXPECT_EQ(AllocationsOfSecondPass(*CompileOrDie(ModelRoutingYaml(n, false)), owned), 0u) << n;
  }
}

TEST(ZeroAllocation, StandardHeaderAllowed) {
  auto owned = StandardHeaderRequests(100, 512, true, 2);
  EXPECT_EQ(AllocationsOfSecondPass(*CompileOrDie(ModelRoutingYaml(100, true)), owned), 0u);
}

TEST(ZeroAllocation, StandardHeaderDisallowed) {
  auto owned = StandardHeaderRequests(100, 512, false, 3);
  std::vector<Request> requests = Views(owned);
  auto table = CompileOrDie(ModelRoutingYaml(100, true));
  for (const Request& request : requests) table->Resolve(request);
  const uint64_t before = AllocationsOnThisThread();
  for (const Request& request : requests) {
    EXPECT_EQ(table->Resolve(request).status, DecisionStatus::kBackendNotAllowed);
  }
  EXPECT_EQ(AllocationsOnThisThread() - before, 0u);
}

// A rule with a retry policy: resolve and every next attempt, warm, allocate nothing.
TEST(ZeroAllocation, RetryPolicyAndNextAttempt) {
  auto table = CompileOrDie(R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
  - backendRefs: [{name: a}, {name: b, priority: 1, modelNameOverride: m}, {name: c, priority: 2}]
    retry: {codes: [429, 503], attempts: 2, backoff: 10ms}
)");
  const Request request;
  table->Resolve(request);
  const uint64_t before = AllocationsOnThisThread();
  const Decision decision = table->Resolve(request);
  int found = 0;
  for (uint32_t n = 1; n <= 3; ++n) {
    for (int status : {0, 429, 500}) found += NextAttempt(decision, n, status) != nullptr;
  }
  EXPECT_EQ(AllocationsOnThisThread() - before, 0u);
  EXPECT_NE(decision.retry, nullptr);
  EXPECT_EQ(found, 4);
}

TEST(ZeroAllocation, Regex) {
  auto owned = RegexRequests(100, 512, 4);
  EXPECT_EQ(AllocationsOfSecondPass(*CompileOrDie(RegexYaml(100)), owned), 0u);
}

TEST(ZeroAllocation, GatewayMix) {
  auto owned = GatewayMixRequests(512, 5);
  EXPECT_EQ(AllocationsOfSecondPass(*CompileOrDie(GatewayMixYaml()), owned), 0u);
}

TEST(ZeroAllocation, Hosts) {
  auto owned = HostsRequests(1000, 512, 6);
  EXPECT_EQ(AllocationsOfSecondPass(*CompileOrDie(HostsYaml(1000)), owned), 0u);
}

TEST(ZeroAllocation, Selection) {
  auto owned = SelectionRequests(512, 7);
  EXPECT_EQ(AllocationsOfSecondPass(*CompileOrDie(SelectionYaml()), owned), 0u);
}

// Session affinity on a header and on a body field: the ranking of every backend and the
// fallbacks in score order live on the stack and in per-thread scratch.
TEST(ZeroAllocation, Affinity) {
  for (bool body_field : {false, true}) {
    for (int n : {2, 8, 64}) {
      auto owned = AffinityRequests(256, 11, body_field);
      const PassCounts counts = CountSecondPass(*CompileOrDie(AffinityYaml(n, body_field)), owned);
      EXPECT_EQ(counts.allocations, 0u) << "body field " << body_field << ", " << n << " backends";
      EXPECT_EQ(counts.affinity, 256) << "body field " << body_field << ", " << n << " backends";
    }
  }
}

// Affinity keyed on the model header while a body replaces it for matching: the key is the
// header as received, its repeats joined in per-thread scratch.
TEST(ZeroAllocation, AffinityOnTheModelHeaderWithABody) {
  auto table = CompileOrDie(
      "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"
      "metadata: {name: sticky, namespace: default}\nspec:\n"
      "  sessionAffinity: {header: x-ai-eg-model}\n  rules:\n  - backendRefs:\n"
      "    - {name: a}\n    - {name: b}\n    - {name: c}\n    - {name: d}\n");
  std::vector<OwnedRequest> owned(128);
  for (int i = 0; i < 128; ++i) {
    owned[i].Add("x-ai-eg-model", "session-" + std::to_string(i) + std::string(i, 'k'));
    if (i % 2 == 1) owned[i].Add("X-AI-EG-Model", "more-" + std::to_string(i));
    owned[i].body = R"({"model": "chat"})" + std::string(kBodyPaddingBytes, ' ');
    owned[i].entropy = i;
  }
  const PassCounts counts = CountSecondPass(*table, owned);
  EXPECT_EQ(counts.allocations, 0u);
  EXPECT_EQ(counts.affinity, 128);
}

// A health view: nothing marked, marks on other backends, some down (for good and for a
// cooldown, which reads the clock), all down (panic); by entropy and with affinity.
TEST(ZeroAllocation, HealthView) {
  auto by_entropy = CompileOrDie(HealthYaml());
  auto sticky = CompileOrDie(AffinityYaml(8, false));
  auto entropy_requests = HealthRequests(256, 12);
  auto affinity_requests = AffinityRequests(256, 13, false);

  HealthView health;
  PassCounts counts = CountSecondPass(*by_entropy, entropy_requests, &health);
  EXPECT_EQ(counts.allocations, 0u) << "nothing marked";

  ASSERT_TRUE(health.MarkDown("elsewhere", "other").ok());
  counts = CountSecondPass(*by_entropy, entropy_requests, &health);
  EXPECT_EQ(counts.allocations, 0u) << "a mark on a backend of no rule here";

  for (const char* name : {"healthy-1", "healthy-4", "backend-2", "backend-5"}) {
    ASSERT_TRUE(health.MarkDown("default", name).ok());
  }
  ASSERT_TRUE(health.MarkDownFor("default", "healthy-6", 3'600'000).ok());
  ASSERT_TRUE(health.MarkDownFor("default", "backend-7", 3'600'000).ok());
  counts = CountSecondPass(*by_entropy, entropy_requests, &health);
  EXPECT_EQ(counts.allocations, 0u) << "some down, by entropy";
  EXPECT_EQ(counts.panic, 0);
  counts = CountSecondPass(*sticky, affinity_requests, &health);
  EXPECT_EQ(counts.allocations, 0u) << "some down, with affinity";
  EXPECT_EQ(counts.affinity, 256);
  EXPECT_EQ(counts.panic, 0);

  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(health.MarkDown("default", "healthy-" + std::to_string(i)).ok());
    ASSERT_TRUE(health.MarkDown("default", "backend-" + std::to_string(i)).ok());
  }
  counts = CountSecondPass(*by_entropy, entropy_requests, &health);
  EXPECT_EQ(counts.allocations, 0u) << "all down, by entropy";
  EXPECT_EQ(counts.panic, 256);
  counts = CountSecondPass(*sticky, affinity_requests, &health);
  EXPECT_EQ(counts.allocations, 0u) << "all down, with affinity";
  EXPECT_EQ(counts.panic, 256);
}

// The model read from a JSON body, parsed in place (padded) and copied (unpadded).
TEST(ZeroAllocation, BodyModel) {
  auto table = CompileOrDie(ModelRoutingYaml(100, false));
  for (std::size_t padding : {kBodyPaddingBytes, std::size_t{0}}) {
    std::vector<std::string> bodies;
    for (int i = 0; i < 64; ++i) {
      std::string body = R"({"messages": [{"role": "user", "content": "hello )" + std::string(i * 7, 'x') +
                         R"("}], "stream": false, "model": "model-)" + std::to_string(i) + R"("})";
      bodies.push_back(body + std::string(kBodyPaddingBytes, ' '));  // spare bytes after the body
    }
    std::vector<Request> requests(bodies.size());
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      requests[i].body = std::string_view(bodies[i]).substr(0, bodies[i].size() - kBodyPaddingBytes);
      requests[i].body_padding = padding;
      requests[i].entropy = i;
    }
    for (const Request& request : requests) table->Resolve(request);
    // A body larger than the per-thread buffers keep: its own buffers come and go, the
    // thread's stay as they were.
    std::string large = R"({"model": "model-1", "messages": [{"content": ")" +
                        std::string(kBodyRetainedBytes * 2, 'x') + R"("}]})";
    large.append(kBodyPaddingBytes, ' ');
    Request large_request;
    large_request.body = std::string_view(large).substr(0, large.size() - kBodyPaddingBytes);
    large_request.body_padding = padding;
    ASSERT_EQ(table->Resolve(large_request).status, DecisionStatus::kRouted);
    const uint64_t before = AllocationsOnThisThread();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const Decision decision = table->Resolve(requests[i]);
      ASSERT_EQ(decision.status, DecisionStatus::kRouted);
      EXPECT_EQ(decision.backend->name, "backend-" + std::to_string(i));
    }
    EXPECT_EQ(AllocationsOnThisThread() - before, 0u) << "padding " << padding;
  }
}

}  // namespace
}  // namespace llmroute::bench
