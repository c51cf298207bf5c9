#include "select/selection.h"

#include <chrono>
#include <thread>
#include <functional>

namespace llmroute::internal {

std::size_t PickPosition(std::span<const uint64_t> running_sums, uint64_t entropy) {
  const uint64_t r = ScaleToTotal(MixEntropy(entropy), running_sums.back());
  // Tiers hold at most a few dozen backends: a forward scan beats a binary search there.
  std::size_t position = 0;
  while (running_sums[position] <= r) ++position;
  return position;
}

uint64_t ThreadLocalEntropy() {
  // A splitmix64 sequence per thread, seeded from the clock and the thread's identity so
  // that threads started together still draw different sequences.
  thread_local uint64_t state =
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      (static_cast<uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 1);
  state += 0x9E3779B97F4A7C15ULL;
  return state;  // the caller mixes it like any caller-supplied entropy
}

}  // namespace llmroute::internal
