// Backend health: which backends a proxy has seen failing, so that resolve stops choosing
// them without a recompile.
//
// A HealthView is created by the caller and shared by any number of threads and tables
// (pass it in Request::health). It is keyed by backend "namespace/name": marks on names
// the current table does not know are kept, and apply as soon as a table that knows them
// (after a reload, say) resolves with the view. A reload never clears a mark.
//
// How resolve uses it: a backend that is down has weight 0 for that decision, so the
// weighted or affinity choice takes another backend of the tier, else the first later
// tier with a backend that is up; down backends leave the fallbacks. When every backend of
// the winning rule with a positive weight is down, the view is ignored for that decision
// and the decision says `panic` (better a backend that may recover than none). A backend
// named by the standard routing header is routed whatever its health (an explicit choice).
//
// Cost and thread-safety: every method may be called from any thread at any time. Marking
// takes the view's mutex (and, for a name never seen in this process, a process-wide
// mutex) and may allocate. Resolve reads the view without a lock and without allocating:
// one atomic load to learn that nothing is marked; otherwise one atomic load per backend
// of the winning rule, and at most one read of the clock, only when a mark has an expiry.
//
// Names are interned process-wide (each distinct "namespace/name" that a table compiles or
// a view marks gets a small number, kept until the process exits), so that a table knows
// its backends' numbers at compile time and resolve never hashes a name. At most
// kMaxHealthNames distinct names are interned; past that, marking a new name fails and a
// table's new backends are never considered down.
#ifndef LLMROUTE_HEALTH_H_
#define LLMROUTE_HEALTH_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace llmroute {

// How many distinct backend names a process interns for health marks.
inline constexpr std::size_t kMaxHealthNames = std::size_t{1} << 20;

// A backend's state in a view.
struct BackendHealth {
  bool down = false;
  // Down with a cooldown: the view's clock reading (milliseconds) at which it ends.
  // Absent when up, or when down until marked up.
  std::optional<int64_t> down_until_ms;
};

class HealthView {
 public:
  // Milliseconds on a monotonic clock. The default reads std::chrono::steady_clock; a
  // test passes its own (it must be callable from any thread that resolves or marks).
  using Clock = std::function<int64_t()>;

  HealthView();
  explicit HealthView(Clock clock);
  ~HealthView();
  HealthView(const HealthView&) = delete;
  HealthView& operator=(const HealthView&) = delete;

  // Down until MarkUp. Replaces any earlier mark of the backend.
  absl::Status MarkDown(std::string_view namespace_, std::string_view name);
  // Down for `milliseconds` (> 0) from now by the view's clock: a cooldown, as for a 429
  // with Retry-After. Replaces any earlier mark. Errors: InvalidArgument for a duration
  // <= 0; ResourceExhausted past kMaxHealthNames names.
  absl::Status MarkDownFor(std::string_view namespace_, std::string_view name,
                           int64_t milliseconds);
  // Up again (a backend never marked is up). Never fails.
  void MarkUp(std::string_view namespace_, std::string_view name);
  // The backend's state now (an expired cooldown reads as up).
  BackendHealth State(std::string_view namespace_, std::string_view name) const;
  // The view's clock, in milliseconds.
  int64_t NowMs() const { return clock_(); }

  // --- For resolve (internal use; no lock, no allocation) ---

  // Whether any backend is marked (possibly with an expired cooldown): when false,
  // resolve treats the view as absent. One atomic load.
  bool AnyMarked() const { return marked_.load(std::memory_order_acquire) != 0; }
  // Whether some mark has an expiry (then reading the clock is needed to judge it).
  bool AnyTimed() const { return timed_.load(std::memory_order_acquire) != 0; }
  // The raw mark of an interned name number: 0 up, kForever down until marked up,
  // otherwise the clock reading when the cooldown ends.
  int64_t RawMark(uint32_t name_number) const {
    const std::atomic<int64_t>* chunk =
        chunks_[name_number / kChunkSize].load(std::memory_order_acquire);
    return chunk == nullptr ? 0 : chunk[name_number % kChunkSize].load(std::memory_order_relaxed);
  }
  static constexpr int64_t kForever = INT64_MAX;

 private:
  static constexpr std::size_t kChunkSize = 4096;
  static constexpr std::size_t kChunks = kMaxHealthNames / kChunkSize;

  // Stores `mark` for the name; mutex_ held.
  absl::Status SetMark(std::string_view namespace_, std::string_view name, int64_t mark);

  Clock clock_;
  mutable std::mutex mutex_;  // serializes marking
  std::array<std::atomic<std::atomic<int64_t>*>, kChunks> chunks_{};  // allocated on demand
  std::atomic<uint32_t> marked_{0};  // names with a nonzero mark
  std::atomic<uint32_t> timed_{0};   // names with a cooldown mark
};

}  // namespace llmroute

#endif  // LLMROUTE_HEALTH_H_
