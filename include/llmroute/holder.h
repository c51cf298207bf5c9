// Reload: swap a newly compiled table in while other threads keep resolving.
//
// The resolve path takes no lock and bumps no shared reference count, however many holders
// a thread uses: each thread has one slot per holder it resolved through, holding its own
// reference to the table it last used, found through a small per-thread hash table keyed by
// holder; a call reads the holder's generation number (a shared word) and compares it with
// the slot's. Only the first call on a thread and the first after a swap take the holder's
// two mutexes (its slot list's, then its publication's), once, to pick up the current
// table (Envoy's thread-local slots work the same way).
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
#include <utility>
#include <vector>

#include "llmroute/decision.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace llmroute {

namespace internal {

struct HolderThreadSlot;  // one thread's reference to the table, src/reload/holder.cc

// The publication every holder is built on (TableHolder below, and the C ABI's holder): the
// current value of a reloading configuration, its replacement and the count of
// replacements. `Reference` is a copyable, owning reference to a table
// (std::shared_ptr<const RoutingTable> here; the C ABI's counted table handle there).
// Swap replaces the value under the mutex and releases the previous one after it, so the
// last reference frees a table outside the lock; Snapshot copies it under the same mutex;
// generation() is one atomic load. Thread-safety: every member may be called from any
// thread at any time, except the destructor.
template <typename Reference>
class Publication {
 public:
  explicit Publication(Reference initial) : current_(std::move(initial)) {}
  Publication(const Publication&) = delete;
  Publication& operator=(const Publication&) = delete;

  void Swap(Reference next) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::swap(current_, next);
      generation_.fetch_add(1, std::memory_order_release);
    }
    // `next` now holds the previous value and is released here, outside the lock.
  }

  Reference Snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

  // The current value and the generation it belongs to, read together.
  Reference Snapshot(uint64_t* generation) const {
    std::lock_guard<std::mutex> lock(mutex_);
    *generation = generation_.load(std::memory_order_relaxed);
    return current_;
  }

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  Reference current_;  // guarded by mutex_
  std::atomic<uint64_t> generation_{0};
};

}  // namespace internal

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
  uint64_t generation() const { return publication_.generation(); }

 private:
  const RoutingTable& TableForThisThread() const;
  const RoutingTable& RefreshThisThread(internal::HolderThreadSlot* slot) const;

  const uint64_t id_;  // unique per holder for the life of the process, never reused
  internal::Publication<std::shared_ptr<const RoutingTable>> publication_;
  mutable std::mutex slots_mutex_;
  // The slot of every thread that resolved through this holder and may still be alive.
  mutable std::vector<std::shared_ptr<internal::HolderThreadSlot>> slots_;  // guarded by slots_mutex_
};

}  // namespace llmroute

#endif  // LLMROUTE_HOLDER_H_
