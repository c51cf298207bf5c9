// Reload without a lock on the read side: a per-thread cache of (holder, generation,
// table) refreshed only when the holder's generation moved (see llmroute/holder.h).
#include "llmroute/holder.h"

#include <array>
#include <cassert>
#include <utility>

namespace llmroute {
namespace {

std::atomic<uint64_t> next_holder_id{1};

struct CachedTable {
  uint64_t holder_id = 0;  // 0: empty
  uint64_t generation = 0;
  std::shared_ptr<const RoutingTable> table;
};

// A thread rarely resolves through more than a few holders; beyond that the least recently
// refreshed entry is replaced (which is why decisions live only until the next Resolve).
struct ThreadTableCache {
  std::array<CachedTable, 4> entries;
  std::size_t next_victim = 0;
};

ThreadTableCache& CacheForThisThread() {
  thread_local ThreadTableCache cache;
  return cache;
}

}  // namespace

TableHolder::TableHolder(std::shared_ptr<const RoutingTable> initial)
    : id_(next_holder_id.fetch_add(1, std::memory_order_relaxed)), current_(std::move(initial)) {
  assert(current_ != nullptr);
}

TableHolder::~TableHolder() = default;

void TableHolder::Swap(std::shared_ptr<const RoutingTable> next) {
  assert(next != nullptr);
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(next);
  generation_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<const RoutingTable> TableHolder::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

const RoutingTable& TableHolder::TableForThisThread() const {
  ThreadTableCache& cache = CacheForThisThread();
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  CachedTable* slot = nullptr;
  for (CachedTable& entry : cache.entries) {
    if (entry.holder_id == id_) {
      if (entry.generation == generation) return *entry.table;  // the steady state
      slot = &entry;
      break;
    }
  }
  if (slot == nullptr) {
    slot = &cache.entries[cache.next_victim];
    cache.next_victim = (cache.next_victim + 1) % cache.entries.size();
  }
  // Rare: first use on this thread, or a swap happened since.
  std::lock_guard<std::mutex> lock(mutex_);
  slot->holder_id = id_;
  slot->generation = generation_.load(std::memory_order_relaxed);
  slot->table = current_;
  return *slot->table;
}

Decision TableHolder::Resolve(const Request& request) const {
  return TableForThisThread().Resolve(request);
}

}  // namespace llmroute
