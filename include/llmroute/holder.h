// Reload: swap a newly compiled table in while other threads keep resolving.
//
// The resolve path takes no lock and bumps no shared reference count, however many holders
// a thread uses: each thread has one slot per holder it resolved through, holding its own
// reference to the table it last used, found through a small per-thread hash table keyed by
// holder; a call reads the holder's generation number (a shared word) and compares it with
// the slot's. Only the first call on a thread and the first after a swap take the holder's
// mutex, once, to pick up the current table (Envoy's thread-local slots work the same way).
//
// The holder owns the slots (the thread shares them): destroying the holder frees every
// table its slots hold at once, even while the threads that used it are idle. An old
// table is freed when the last thread that used it picks up a newer one or exits, or when
// the holder is destroyed. Memory: one slot (about 100 bytes) per thread and holder.
//
// Lifetime of decisions: a Decision from `TableHolder::Resolve` points into the table this
// thread used for it, which stays alive until this thread's next call of `Resolve` on the
// same holder or the holder's destruction, whichever comes first. To keep decisions
// longer, hold `Snapshot()`.
//
// Thread-safety: all member functions may be called from any thread at any time, except
// the destructor: no call on this holder may be running or start once it begins.
#ifndef LLMROUTE_HOLDER_H_
#define LLMROUTE_HOLDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "llmroute/decision.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace llmroute {

namespace internal {
struct HolderThreadSlot;  // one thread's reference to the table, src/reload/holder.cc
}

class TableHolder {
 public:
  // `initial` must not be null.
  explicit TableHolder(std::shared_ptr<const RoutingTable> initial);
  ~TableHolder();
  TableHolder(const TableHolder&) = delete;
  TableHolder& operator=(const TableHolder&) = delete;

  // Publishes `next` (not null). Threads resolving now finish on the table they have.
  void Swap(std::shared_ptr<const RoutingTable> next);

  // The current table, as a reference the caller owns (takes the holder's mutex).
  std::shared_ptr<const RoutingTable> Snapshot() const;

  // Resolves against the current table; no lock unless a swap happened since this
  // thread's last call. See the lifetime note above.
  Decision Resolve(const Request& request) const;

  // How many times Swap was called.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  const RoutingTable& TableForThisThread() const;
  const RoutingTable& RefreshThisThread(internal::HolderThreadSlot* slot) const;

  const uint64_t id_;  // unique per holder for the life of the process, never reused
  mutable std::mutex mutex_;
  std::shared_ptr<const RoutingTable> current_;  // guarded by mutex_
  // The slot of every thread that resolved through this holder and may still be alive.
  mutable std::vector<std::shared_ptr<internal::HolderThreadSlot>> slots_;  // guarded by mutex_
  std::atomic<uint64_t> generation_{0};
};

}  // namespace llmroute

#endif  // LLMROUTE_HOLDER_H_
