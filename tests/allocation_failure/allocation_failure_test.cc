// resolve when an allocation fails: the first large request on a thread grows the thread's
// scratch, and any of those allocations may throw std::bad_alloc (the C ABI turns it into
// LLMROUTE_ERROR_OUT_OF_MEMORY). Whichever fails, the thread's next requests must be
// resolved correctly, without touching memory out of bounds (run under the sanitizers to
// see the latter). Its own binary: operator new is replaced here.
#include <cstdint>
#include <new>
#include <string>
#include <thread>

#include "allocation_counter.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

constexpr int kNames = 300;

// Rule i: header x-h<i> Exact "v" goes to b<i>; the last rule reads a query parameter.
std::string ManySlotsYaml() {
  return ManyHeaderRulesYaml(kNames) +
         "  - matches: [{queryParams: [{name: q, value: 'a b'}]}]\n    backendRefs: [{name: query}]\n";
}

// Every header name twice (joined: "w,v"), a long model header, a query string.
Req LargeRequest() {
  Req request = Req().Path("/v1?q=a%20b&r=" + std::string(4096, 'x'));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kNames; ++i) request.AddHeader(Cat("X-H", i), round == 0 ? "w" : "v");
    request.AddHeader("x-ai-eg-model", std::string(1000, 'm'));
  }
  return request;
}

std::string BackendOf(const Decision& d) { return d.backend.has_value() ? NsName(*d.backend) : "<none>"; }

TEST(AllocationFailure, EveryFailingAllocationOfAFirstLargeRequestLeavesTheThreadUsable) {
  auto table = MustCompile(ManySlotsYaml());
  ASSERT_NE(table, nullptr);
  const Req large = LargeRequest();
  const Req normal = Req().Header("x-h" + std::to_string(kNames - 1), "v").Header("x-h0", "w");
  const Req query = Req().Path("/v1?q=a+b&q=x&q=a%20b");

  uint64_t allocations = 0;  // of the first large request on a fresh thread
  std::thread([&] {
    const Request request = large.View();
    const uint64_t before = bench::AllocationsOnThisThread();
    const Decision decision = table->Resolve(request);
    allocations = bench::AllocationsOnThisThread() - before;
    EXPECT_EQ(BackendOf(decision), "ns/query");
  }).join();
  ASSERT_GT(allocations, 0u);

  for (uint64_t n = 1; n <= allocations; ++n) {
    std::thread([&] {  // a fresh thread: fresh scratch
      bool failed = false;
      const Request request = large.View();
      bench::FailAllocationOnThisThread(n);
      try {
        table->Resolve(request);
      } catch (const std::bad_alloc&) {
        failed = true;
      }
      bench::FailAllocationOnThisThread(0);
      EXPECT_TRUE(failed) << "allocation " << n << " of " << allocations;
      EXPECT_EQ(BackendOf(table->Resolve(normal.View())), Cat("ns/b", kNames - 1)) << n;
      EXPECT_EQ(table->Resolve(query.View()).status, DecisionStatus::kNoRoute) << n;
      const Decision again = table->Resolve(large.View());
      EXPECT_EQ(BackendOf(again), "ns/query") << n;
      ASSERT_TRUE(again.model.has_value());
      EXPECT_EQ(again.model->size(), 2001u) << n;
      EXPECT_EQ(BackendOf(table->Resolve(normal.View())), Cat("ns/b", kNames - 1)) << n;
    }).join();
  }
}

}  // namespace
}  // namespace llmroute::test
