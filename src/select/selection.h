// Weighted choice of a backend from caller entropy (docs/routing.md#selection): a pure
// function, the same on every machine and in every binding.
#ifndef LLMROUTE_SELECT_SELECTION_H_
#define LLMROUTE_SELECT_SELECTION_H_

#include <cstdint>
#include <span>

namespace llmroute::internal {

// splitmix64's finalizer applied to entropy + golden gamma: spreads sequential or
// clustered entropies over the whole 64-bit range.
inline uint64_t MixEntropy(uint64_t entropy) {
  uint64_t z = entropy + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// r = high 64 bits of mixed * total: uniform in [0, total) without a division.
inline uint64_t ScaleToTotal(uint64_t mixed, uint64_t total) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(mixed) * total) >> 64);
}

// `running_sums` are the running sums of the positive weights of one tier, in backendRefs
// order (strictly increasing; the last is the total, > 0). Returns the position of the
// first whose running sum exceeds r.
std::size_t PickPosition(std::span<const uint64_t> running_sums, uint64_t entropy);

// A fresh 64-bit value from this thread's generator: no shared state.
uint64_t ThreadLocalEntropy();

}  // namespace llmroute::internal

#endif  // LLMROUTE_SELECT_SELECTION_H_
