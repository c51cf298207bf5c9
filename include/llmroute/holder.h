// Reload: swap a newly compiled table in while other threads keep resolving.
//
// The resolve path takes no lock and bumps no shared reference count: each thread keeps
// its own reference to the table it last used through this holder and checks one global
// generation number (a read of a shared word) per call; only after a swap does a thread
// take the holder's mutex once to pick up the new table (Envoy's thread-local slots work
// the same way). Old tables are freed when the last thread that used them picks up a newer
// one, exits, or the holder is destroyed.
//
// Lifetime of decisions: a Decision from `TableHolder::Resolve` points into the table this
// thread used for it, which stays alive at least until this thread's next call of
// `Resolve` on any TableHolder. To keep decisions longer, hold `Snapshot()`.
//
// Thread-safety: all member functions may be called from any thread at any time.
#ifndef LLMROUTE_HOLDER_H_
#define LLMROUTE_HOLDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "llmroute/decision.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace llmroute {

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

  const uint64_t id_;  // unique per holder for the life of the process
  mutable std::mutex mutex_;
  std::shared_ptr<const RoutingTable> current_;  // guarded by mutex_
  std::atomic<uint64_t> generation_{0};
};

}  // namespace llmroute

#endif  // LLMROUTE_HOLDER_H_
