// Backend health: a view of down backends that resolve consults without a lock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/health.h"
#include "llmroute/holder.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

// a and b (weights 3, 1) at priority 0, c and d at priority 1, zero never chosen.
constexpr char kTiers[] = R"(
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: hx}
spec:
  standardRoutingHeader: {enabled: true}
  rules:
  - backendRefs:
    - {name: a, weight: 3}
    - {name: b, weight: 1}
    - {name: zero, weight: 0}
    - {name: c, priority: 1}
    - {name: d, priority: 1}
)";

// A clock the test moves by hand, counting its reads.
struct TestClock {
  std::atomic<int64_t> now{1000};
  std::atomic<int> reads{0};
  HealthView::Clock AsClock() {
    return [this] {
      reads.fetch_add(1);
      return now.load();
    };
  }
};

Decision ResolveWith(const RoutingTable& table, const HealthView* health, uint64_t entropy,
                     std::vector<Header> headers = {}) {
  static thread_local std::vector<Header> storage;
  storage = std::move(headers);
  Request request;
  request.headers = storage;
  request.entropy = entropy;
  request.health = health;
  return table.Resolve(request);
}

std::set<std::string> ChosenOver(const RoutingTable& table, const HealthView* health, int draws) {
  std::set<std::string> chosen;
  for (int e = 0; e < draws; ++e) chosen.insert(NsName(*ResolveWith(table, health, e).backend));
  return chosen;
}

TEST(Health, NoMarksChangeNothing) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  HealthView health;
  for (uint64_t e = 0; e < 64; ++e) {
    const Decision with = ResolveWith(*table, &health, e);
    const Decision without = ResolveWith(*table, nullptr, e);
    EXPECT_EQ(NsName(*with.backend), NsName(*without.backend));
    EXPECT_EQ(RenderFallbacks(with), RenderFallbacks(without));
    EXPECT_FALSE(with.panic);
  }
}

TEST(Health, DownBackendIsNotChosenNorAFallback) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  HealthView health;
  ASSERT_TRUE(health.MarkDown("hx", "a").ok());
  EXPECT_EQ(ChosenOver(*table, &health, 64), std::set<std::string>{"hx/b"});
  const Decision d = ResolveWith(*table, &health, 0);
  EXPECT_EQ(RenderFallbacks(d), "[hx/c, hx/d]");
  EXPECT_FALSE(d.panic);
  // Without the view the same table still chooses a.
  EXPECT_TRUE(ChosenOver(*table, nullptr, 64).count("hx/a"));
}

TEST(Health, WeightedChoiceAmongTheRestOfTheTier) {
  auto table = MustCompile(R"(
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: hx}
spec:
  rules:
  - backendRefs: [{name: a, weight: 1}, {name: b, weight: 2}, {name: c, weight: 1}]
)");
  ASSERT_NE(table, nullptr);
  HealthView health;
  ASSERT_TRUE(health.MarkDown("hx", "b").ok());
  // The tier without b is a (1) and c (1): r = (mix(e) * 2) >> 64 picks a on 0, c on 1;
  // the fallbacks rotate after the chosen one and skip b.
  for (uint64_t e = 0; e < 200; ++e) {
    const uint64_t z = [](uint64_t x) {
      x += 0x9E3779B97F4A7C15ULL;
      x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
      x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
      return x ^ (x >> 31);
    }(e);
    const uint64_t r = static_cast<uint64_t>((static_cast<unsigned __int128>(z) * 2) >> 64);
    const Decision d = ResolveWith(*table, &health, e);
    EXPECT_EQ(NsName(*d.backend), r == 0 ? "hx/a" : "hx/c") << e;
    EXPECT_EQ(RenderFallbacks(d), r == 0 ? "[hx/c]" : "[hx/a]") << e;
  }
}

TEST(Health, AllOfATierDownMovesToTheNextTier) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  HealthView health;
  ASSERT_TRUE(health.MarkDown("hx", "a").ok());
  ASSERT_TRUE(health.MarkDown("hx", "b").ok());
  EXPECT_EQ(ChosenOver(*table, &health, 64), (std::set<std::string>{"hx/c", "hx/d"}));
  ASSERT_TRUE(health.MarkDown("hx", "c").ok());
  const Decision d = ResolveWith(*table, &health, 5);
  EXPECT_EQ(NsName(*d.backend), "hx/d");
  EXPECT_EQ(RenderFallbacks(d), "[]");
  EXPECT_FALSE(d.panic);
}

TEST(Health, EverythingDownIsPanicWithTheViewIgnored) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  HealthView health;
  for (const char* name : {"a", "b", "c", "d"}) ASSERT_TRUE(health.MarkDown("hx", name).ok());
  for (uint64_t e = 0; e < 32; ++e) {
    const Decision with = ResolveWith(*table, &health, e);
    const Decision without = ResolveWith(*table, nullptr, e);
    EXPECT_TRUE(with.panic);
    EXPECT_FALSE(without.panic);
    EXPECT_EQ(NsName(*with.backend), NsName(*without.backend));
    EXPECT_EQ(RenderFallbacks(with), RenderFallbacks(without));
  }
  // A weight-0 backend does not count: it is never chosen anyway.
  ASSERT_TRUE(health.MarkDown("hx", "zero").ok());
  EXPECT_TRUE(ResolveWith(*table, &health, 0).panic);
  health.MarkUp("hx", "d");
  const Decision recovered = ResolveWith(*table, &health, 0);
  EXPECT_FALSE(recovered.panic);
  EXPECT_EQ(NsName(*recovered.backend), "hx/d");
}

TEST(Health, StandardHeaderRoutesToADownBackend) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  HealthView health;
  ASSERT_TRUE(health.MarkDown("hx", "a").ok());
  const Decision d = ResolveWith(*table, &health, 0, {{"x-ai-gateway-backend", "a"}});
  EXPECT_EQ(d.via, Via::kStandardHeader);
  EXPECT_EQ(NsName(*d.backend), "hx/a");
  EXPECT_FALSE(d.panic);
}

TEST(Health, CooldownExpiresByTheViewsClock) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  TestClock clock;
  HealthView health(clock.AsClock());
  ASSERT_TRUE(health.MarkDownFor("hx", "a", 500).ok());
  EXPECT_EQ(health.State("hx", "a").down_until_ms, std::optional<int64_t>(1500));
  EXPECT_FALSE(ChosenOver(*table, &health, 64).count("hx/a"));
  clock.now = 1499;
  EXPECT_TRUE(health.State("hx", "a").down);
  EXPECT_FALSE(ChosenOver(*table, &health, 64).count("hx/a"));
  clock.now = 1500;
  EXPECT_FALSE(health.State("hx", "a").down);
  EXPECT_TRUE(ChosenOver(*table, &health, 64).count("hx/a"));
}

TEST(Health, ClockIsReadAtMostOnceAndOnlyForCooldowns) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  TestClock clock;
  HealthView health(clock.AsClock());
  ASSERT_TRUE(health.MarkDown("hx", "a").ok());
  clock.reads = 0;
  ResolveWith(*table, &health, 0);
  EXPECT_EQ(clock.reads.load(), 0);
  ASSERT_TRUE(health.MarkDownFor("hx", "b", 10).ok());
  ASSERT_TRUE(health.MarkDownFor("hx", "c", 10).ok());
  clock.reads = 0;
  ResolveWith(*table, &health, 0);
  EXPECT_EQ(clock.reads.load(), 1);
}

TEST(Health, MarksReplaceEachOther) {
  TestClock clock;
  HealthView health(clock.AsClock());
  EXPECT_FALSE(health.State("hx", "never").down);
  ASSERT_TRUE(health.MarkDownFor("hx", "a", 100).ok());
  ASSERT_TRUE(health.MarkDown("hx", "a").ok());
  clock.now = 1000000;
  EXPECT_TRUE(health.State("hx", "a").down);
  EXPECT_FALSE(health.State("hx", "a").down_until_ms.has_value());
  ASSERT_TRUE(health.MarkDownFor("hx", "a", 100).ok());
  clock.now = 1000100;
  EXPECT_FALSE(health.State("hx", "a").down);
  health.MarkUp("hx", "a");
  health.MarkUp("hx", "unknown-name");
  EXPECT_FALSE(health.State("hx", "a").down);
  EXPECT_FALSE(health.AnyMarked());
}

TEST(Health, BadCooldownIsAnError) {
  HealthView health;
  EXPECT_EQ(health.MarkDownFor("hx", "a", 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(health.MarkDownFor("hx", "a", -5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(health.State("hx", "a").down);
}

TEST(Health, MarksOnUnknownNamesApplyAfterAReload) {
  HealthView health;
  // Marked before any table knows the backend.
  ASSERT_TRUE(health.MarkDown("hx", "later-backend").ok());
  auto first = MustCompile(kTiers);
  ASSERT_NE(first, nullptr);
  TableHolder holder(first);
  ASSERT_TRUE(health.MarkDown("hx", "a").ok());
  EXPECT_EQ(ChosenOver(*holder.Snapshot(), &health, 32), std::set<std::string>{"hx/b"});
  holder.Swap(MustCompile(R"(
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: hx}
spec:
  rules:
  - backendRefs: [{name: a}, {name: later-backend}, {name: fresh}]
)"));
  // The reload kept a's mark and applied the earlier one on later-backend.
  EXPECT_EQ(ChosenOver(*holder.Snapshot(), &health, 32), std::set<std::string>{"hx/fresh"});
}

TEST(Health, OneViewServesManyTables) {
  auto one = MustCompile(kTiers);
  auto two = MustCompile(std::string(kTiers).replace(std::string(kTiers).find("name: r,"), 8, "name: s,"));
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  HealthView health;
  ASSERT_TRUE(health.MarkDown("hx", "b").ok());
  EXPECT_EQ(ChosenOver(*one, &health, 32), std::set<std::string>{"hx/a"});
  EXPECT_EQ(ChosenOver(*two, &health, 32), std::set<std::string>{"hx/a"});
}

// Run under ThreadSanitizer as well: marking threads and resolving threads at once.
TEST(Health, ConcurrentMarkingAndResolving) {
  auto table = MustCompile(kTiers);
  ASSERT_NE(table, nullptr);
  TestClock clock;
  HealthView health(clock.AsClock());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      const char* names[] = {"a", "b", "c", "d", "zero", "elsewhere"};
      for (int i = 0; i < 20000; ++i) {
        const char* name = names[(i + t) % 6];
        if (i % 3 == 0) {
          health.MarkUp("hx", name);
        } else if (i % 3 == 1) {
          (void)health.MarkDown("hx", name);
        } else {
          (void)health.MarkDownFor("hx", name, 1 + i % 7);
          clock.now.fetch_add(1);
        }
      }
      stop = true;
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      uint64_t e = t;
      while (!stop) {
        const Decision d = ResolveWith(*table, &health, e++, {{"x-other", "1"}});
        const std::string backend = NsName(*d.backend);
        if (d.status != DecisionStatus::kRouted || backend == "hx/zero") ++bad;
        std::set<std::string> seen{backend};
        for (const Fallback& f : d.fallbacks) {
          if (!seen.insert(NsName(f.backend)).second) ++bad;  // never a repeat
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace llmroute::test
