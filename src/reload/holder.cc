// Reload without a lock on the read side: each thread has one slot per holder, found in a
// per-thread open-addressing table keyed by holder id, refreshed only when the holder's
// generation moved (see llmroute/holder.h).
//
// Who touches a slot: its thread reads and refreshes it (refreshing under the holder's
// mutex); the holder's destructor and the thread's exit release its table, under the
// slot's own mutex, since they may run at the same time. A refresh never runs at the same
// time as the destructor (no call may be running on a holder being destroyed) nor as the
// thread's exit (same thread).
#include "llmroute/holder.h"

#include <cassert>
#include <cstddef>
#include <memory>
#include <utility>

#include "reload/holder_internal.h"

namespace llmroute {
namespace internal {

struct HolderThreadSlot {
  uint64_t generation = 0;
  std::shared_ptr<const RoutingTable> table;
  std::mutex release_mutex;  // between the holder's destructor and the thread's exit
  std::atomic<bool> holder_destroyed{false};
};

namespace {

std::atomic<uint64_t> next_holder_id{1};

thread_local uint64_t holder_locks_taken = 0;

// One thread's slots, keyed by holder id (never 0) with linear probing. Entries of
// destroyed holders are dropped when the table is rebuilt to grow.
class ThreadSlots {
 public:
  ThreadSlots() = default;
  ThreadSlots(const ThreadSlots&) = delete;
  ThreadSlots& operator=(const ThreadSlots&) = delete;

  // The thread exits: its tables go now, not when each holder is destroyed.
  ~ThreadSlots() {
    for (std::size_t i = 0; i < capacity_; ++i) {
      if (HolderThreadSlot* slot = entries_[i].slot.get()) {
        std::lock_guard<std::mutex> lock(slot->release_mutex);
        slot->table.reset();
      }
    }
  }

  HolderThreadSlot* Find(uint64_t holder_id) const {
    if (capacity_ == 0) return nullptr;
    for (std::size_t i = Home(holder_id);; i = (i + 1) & (capacity_ - 1)) {
      const Entry& entry = entries_[i];
      if (entry.holder_id == holder_id) return entry.slot.get();
      if (entry.holder_id == 0) return nullptr;
    }
  }

  // `holder_id` must not be in the table.
  void Insert(uint64_t holder_id, std::shared_ptr<HolderThreadSlot> slot) {
    if ((size_ + 1) * 2 > capacity_) Rebuild();
    Place(holder_id, std::move(slot));
  }

 private:
  struct Entry {
    uint64_t holder_id = 0;  // 0: empty
    std::shared_ptr<HolderThreadSlot> slot;
  };

  std::size_t Home(uint64_t holder_id) const {
    return static_cast<std::size_t>((holder_id * 0x9E3779B97F4A7C15ull) >> 32) & (capacity_ - 1);
  }

  void Place(uint64_t holder_id, std::shared_ptr<HolderThreadSlot> slot) {
    std::size_t i = Home(holder_id);
    while (entries_[i].holder_id != 0) i = (i + 1) & (capacity_ - 1);
    entries_[i] = Entry{holder_id, std::move(slot)};
    ++size_;
  }

  // Drops the slots of destroyed holders and leaves room for at least one more slot at a
  // load of at most a quarter.
  void Rebuild() {
    std::unique_ptr<Entry[]> old = std::move(entries_);
    const std::size_t old_capacity = capacity_;
    std::size_t live = 0;
    for (std::size_t i = 0; i < old_capacity; ++i) {
      const Entry& entry = old[i];
      if (entry.holder_id != 0 && !entry.slot->holder_destroyed.load(std::memory_order_acquire)) {
        ++live;
      }
    }
    capacity_ = 8;
    while (capacity_ < (live + 1) * 4) capacity_ *= 2;
    entries_ = std::make_unique<Entry[]>(capacity_);
    size_ = 0;
    for (std::size_t i = 0; i < old_capacity; ++i) {
      Entry& entry = old[i];
      if (entry.holder_id != 0 && !entry.slot->holder_destroyed.load(std::memory_order_acquire)) {
        Place(entry.holder_id, std::move(entry.slot));
      }
    }
  }

  std::unique_ptr<Entry[]> entries_;
  std::size_t capacity_ = 0;  // 0 or a power of two
  std::size_t size_ = 0;
};

ThreadSlots& SlotsForThisThread() {
  thread_local ThreadSlots slots;
  return slots;
}

}  // namespace

uint64_t HolderLocksTakenByThisThread() { return holder_locks_taken; }

}  // namespace internal

using internal::HolderThreadSlot;

TableHolder::TableHolder(std::shared_ptr<const RoutingTable> initial)
    : id_(internal::next_holder_id.fetch_add(1, std::memory_order_relaxed)),
      publication_(std::move(initial)) {
  assert(publication_.Snapshot() != nullptr);
}

TableHolder::~TableHolder() {
  std::lock_guard<std::mutex> lock(slots_mutex_);  // orders the threads' last refreshes before this
  for (const std::shared_ptr<HolderThreadSlot>& slot : slots_) {
    std::lock_guard<std::mutex> release(slot->release_mutex);
    slot->table.reset();
    slot->holder_destroyed.store(true, std::memory_order_release);
  }
}

void TableHolder::Swap(std::shared_ptr<const RoutingTable> next) {
  assert(next != nullptr);
  publication_.Swap(std::move(next));
}

std::shared_ptr<const RoutingTable> TableHolder::Snapshot() const {
  return publication_.Snapshot();
}

const RoutingTable& TableHolder::TableForThisThread() const {
  const uint64_t generation = publication_.generation();
  HolderThreadSlot* slot = internal::SlotsForThisThread().Find(id_);
  if (slot != nullptr && slot->generation == generation) return *slot->table;  // steady state
  return RefreshThisThread(slot);
}

// Rare: first use on this thread (`slot` null), or a swap happened since.
const RoutingTable& TableHolder::RefreshThisThread(HolderThreadSlot* slot) const {
  ++internal::holder_locks_taken;
  std::lock_guard<std::mutex> lock(slots_mutex_);
  if (slot == nullptr) {
    // The slots of threads that have exited are held by the holder alone.
    std::erase_if(slots_, [](const std::shared_ptr<HolderThreadSlot>& s) {
      return s.use_count() == 1;
    });
    auto fresh = std::make_shared<HolderThreadSlot>();
    slot = fresh.get();
    slots_.push_back(fresh);
    internal::SlotsForThisThread().Insert(id_, std::move(fresh));
  }
  uint64_t generation = 0;
  slot->table = publication_.Snapshot(&generation);
  slot->generation = generation;
  return *slot->table;
}

Decision TableHolder::Resolve(const Request& request) const {
  return TableForThisThread().Resolve(request);
}

}  // namespace llmroute
