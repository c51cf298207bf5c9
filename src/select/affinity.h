// Session affinity by weighted rendezvous hashing: a pure function of the key, the
// backendRefs' identities and weights, the same on every machine and in every binding.
//
//   k        = fnv1a64(key)
//   x        = mix(k ^ fnv1a64(identity))      identity: "namespace/name" [+ "#" + override]
//   u        = ((x >> 11) + 0.5) / 2^53        an IEEE double in (0, 1]
//   score    = weight / -log(u)                highest wins; a tie goes to the earlier entry
//
// where mix is the splitmix64 finalizer of the weighted choice (MixEntropy). Removing a
// backend moves only its keys; adding one moves no key between the others.
#ifndef LLMROUTE_SELECT_AFFINITY_H_
#define LLMROUTE_SELECT_AFFINITY_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "select/selection.h"

namespace llmroute::internal {

inline constexpr uint64_t kFnvOffsetBasis = 0xCBF29CE484222325ULL;
inline constexpr uint64_t kFnvPrime = 0x100000001B3ULL;

inline uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = kFnvOffsetBasis;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  // The same byte-by-byte chain, eight bytes per loop iteration (session keys are tens of
  // bytes: the loop's own bookkeeping was a third of the cost).
  for (; n >= 8; n -= 8, p += 8) {
    h = (h ^ p[0]) * kFnvPrime;
    h = (h ^ p[1]) * kFnvPrime;
    h = (h ^ p[2]) * kFnvPrime;
    h = (h ^ p[3]) * kFnvPrime;
    h = (h ^ p[4]) * kFnvPrime;
    h = (h ^ p[5]) * kFnvPrime;
    h = (h ^ p[6]) * kFnvPrime;
    h = (h ^ p[7]) * kFnvPrime;
  }
  for (; n > 0; --n, ++p) h = (h ^ *p) * kFnvPrime;
  return h;
}

// The 53 bits of one backendRef's draw for the key whose hash is `key_hash`: u is a
// monotone function of them.
inline uint64_t AffinityBits(uint64_t key_hash, uint64_t identity_hash) {
  return MixEntropy(key_hash ^ identity_hash) >> 11;
}

// The score of a backendRef whose draw has these bits.
inline double AffinityScoreOfBits(uint64_t bits, uint64_t weight) {
  const double u = (static_cast<double>(bits) + 0.5) / 9007199254740992.0;  // 2^53
  return static_cast<double>(weight) / -std::log(u);
}

inline double AffinityScore(uint64_t key_hash, uint64_t identity_hash, uint64_t weight) {
  return AffinityScoreOfBits(AffinityBits(key_hash, identity_hash), weight);
}

// Whether a backendRef with draw bits `a` ranks before one with `b`, both of weight
// `weight`, where `a_first` says which comes first in backendRefs (it wins a tie).
//
// With one weight the score only grows with u, and u with the bits: IEEE division by a
// larger positive number never gives more, and log never decreases (its error is below
// one unit in the last place). So bits far enough apart decide without a log; only bits
// within 2^-40 of each other, where rounding could make two scores equal, are scored.
inline bool RanksBeforeSameWeight(uint64_t a, uint64_t b, uint64_t weight, bool a_first) {
  if (a != b) {
    const uint64_t high = a > b ? a : b;
    const uint64_t low = a > b ? b : a;
    if (high - low > (high >> 40) + 1) return a > b;
    const double score_a = AffinityScoreOfBits(a, weight);
    const double score_b = AffinityScoreOfBits(b, weight);
    if (score_a != score_b) return score_a > score_b;
  }
  return a_first;
}

}  // namespace llmroute::internal

#endif  // LLMROUTE_SELECT_AFFINITY_H_
