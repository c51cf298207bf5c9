// The reload holder: threads keep resolving while another thread swaps tables.
#include "llmroute/holder.h"

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/table.h"
#include "reload/holder_internal.h"

namespace llmroute {
namespace {

// A one-route table sending every request to `backend` (built by hand: no loader needed).
std::shared_ptr<const RoutingTable> TableRoutingTo(const std::string& backend) {
  Config config;
  Route route;
  route.name.value = "route";
  Rule rule;
  BackendRef ref;
  ref.name.value = backend;
  rule.backend_refs.push_back(ref);
  route.rules.push_back(rule);
  config.routes.push_back(route);
  auto table = Compile(config);
  EXPECT_TRUE(table.ok()) << table.status();
  return *table;
}

TEST(Holder, ResolvesThroughTheCurrentTable) {
  TableHolder holder(TableRoutingTo("first"));
  Request request;
  EXPECT_EQ(holder.Resolve(request).backend->name, "first");
  holder.Swap(TableRoutingTo("second"));
  EXPECT_EQ(holder.generation(), 1u);
  EXPECT_EQ(holder.Resolve(request).backend->name, "second");
  EXPECT_EQ(holder.Snapshot()->Resolve(request).backend->name, "second");
}

TEST(Holder, SnapshotKeepsAnOldTableAlive) {
  TableHolder holder(TableRoutingTo("old"));
  std::shared_ptr<const RoutingTable> kept = holder.Snapshot();
  Decision old_decision = kept->Resolve(Request{});
  holder.Swap(TableRoutingTo("new"));
  EXPECT_EQ(holder.Resolve(Request{}).backend->name, "new");
  EXPECT_EQ(old_decision.backend->name, "old");  // still points into the kept table
}

TEST(Holder, SeveralHoldersOnOneThreadStayApart) {
  std::vector<std::unique_ptr<TableHolder>> holders;
  for (int i = 0; i < 9; ++i) {
    holders.push_back(std::make_unique<TableHolder>(TableRoutingTo("b" + std::to_string(i))));
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 9; ++i) {
      EXPECT_EQ(holders[i]->Resolve(Request{}).backend->name, "b" + std::to_string(i));
    }
  }
}

// Readers read every decision's strings right away (AddressSanitizer or valgrind would
// report a read of a freed table); each must name one of the tables ever published.
TEST(Holder, ReadersNeverSeeAFreedTableWhileSwapping) {
  TableHolder holder(TableRoutingTo("even"));
  std::atomic<bool> done{false};
  std::atomic<uint64_t> decisions{0};
  std::atomic<uint64_t> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      Request request;
      while (!done.load(std::memory_order_relaxed)) {
        Decision decision = holder.Resolve(request);
        std::string name(decision.backend->name);  // copies the bytes: a real read
        if (name != "even" && name != "odd") wrong.fetch_add(1);
        decisions.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (int swap = 0; swap < 2000; ++swap) {
    // Let the readers resolve between swaps, so every swap lands among live readers.
    const uint64_t seen = decisions.load();
    while (decisions.load() < seen + 3) std::this_thread::yield();
    holder.Swap(TableRoutingTo(swap % 2 == 0 ? "odd" : "even"));
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_GE(decisions.load(), 6000u);
  EXPECT_EQ(holder.generation(), 2000u);
  EXPECT_EQ(holder.Resolve(Request{}).backend->name, "even");
}

// A thread that used a holder and then sits idle (a worker pool between requests) must
// not keep the holder's tables alive once the holder is destroyed.
TEST(Holder, DestructionFreesTablesOfIdleThreads) {
  std::weak_ptr<const RoutingTable> first;
  std::weak_ptr<const RoutingTable> second;
  auto holder = std::make_unique<TableHolder>(TableRoutingTo("first"));
  first = holder->Snapshot();
  std::promise<void> resolved;
  std::promise<void> finish;
  std::thread idle([&] {
    EXPECT_EQ(holder->Resolve(Request{}).backend->name, "first");
    resolved.set_value();
    finish.get_future().wait();  // idle: no further Resolve on this thread
  });
  resolved.get_future().wait();
  EXPECT_EQ(holder->Resolve(Request{}).backend->name, "first");
  holder->Swap(TableRoutingTo("second"));
  second = holder->Snapshot();
  EXPECT_EQ(holder->Resolve(Request{}).backend->name, "second");
  EXPECT_FALSE(first.expired()) << "the idle thread still uses the first table";
  holder.reset();
  EXPECT_TRUE(first.expired()) << "the idle thread's table outlives its holder";
  EXPECT_TRUE(second.expired()) << "this thread's table outlives its holder";
  finish.set_value();
  idle.join();
}

TEST(Holder, ThreadExitFreesItsTableWhileTheHolderLives) {
  TableHolder holder(TableRoutingTo("old"));
  std::weak_ptr<const RoutingTable> old = holder.Snapshot();
  std::thread([&] { EXPECT_EQ(holder.Resolve(Request{}).backend->name, "old"); }).join();
  holder.Swap(TableRoutingTo("new"));
  EXPECT_TRUE(old.expired()) << "an exited thread keeps the table alive";
  EXPECT_EQ(holder.Resolve(Request{}).backend->name, "new");
}

// However many holders a thread resolves through, the steady state takes no lock.
TEST(Holder, TenHoldersOnOneThreadTakeNoLockInTheSteadyState) {
  std::thread([] {
    std::vector<std::unique_ptr<TableHolder>> holders;
    for (int i = 0; i < 10; ++i) {
      holders.push_back(std::make_unique<TableHolder>(TableRoutingTo("b" + std::to_string(i))));
    }
    const uint64_t before_warm_up = internal::HolderLocksTakenByThisThread();
    for (int i = 0; i < 10; ++i) holders[i]->Resolve(Request{});
    EXPECT_EQ(internal::HolderLocksTakenByThisThread() - before_warm_up, 10u)
        << "one lock per holder, on first use";
    const uint64_t warm = internal::HolderLocksTakenByThisThread();
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(holders[i]->Resolve(Request{}).backend->name, "b" + std::to_string(i));
      }
    }
    EXPECT_EQ(internal::HolderLocksTakenByThisThread(), warm);
    holders[3]->Swap(TableRoutingTo("swapped"));
    for (int i = 0; i < 10; ++i) holders[i]->Resolve(Request{});
    EXPECT_EQ(internal::HolderLocksTakenByThisThread(), warm + 1) << "only the swapped holder";
    EXPECT_EQ(holders[3]->Resolve(Request{}).backend->name, "swapped");
  }).join();
}

// Holders come and go while a thread keeps resolving: the slots of destroyed holders are
// dropped, and the live holders keep answering.
TEST(Holder, ManyShortLivedHoldersOnOneThread) {
  TableHolder kept(TableRoutingTo("kept"));
  for (int i = 0; i < 300; ++i) {
    std::weak_ptr<const RoutingTable> table;
    {
      TableHolder holder(TableRoutingTo("h" + std::to_string(i)));
      table = holder.Snapshot();
      EXPECT_EQ(holder.Resolve(Request{}).backend->name, "h" + std::to_string(i));
      EXPECT_EQ(kept.Resolve(Request{}).backend->name, "kept");
    }
    EXPECT_TRUE(table.expired());
  }
}

}  // namespace
}  // namespace llmroute
