// What the reload holder exposes to its tests only.
#ifndef LLMROUTE_RELOAD_HOLDER_INTERNAL_H_
#define LLMROUTE_RELOAD_HOLDER_INTERNAL_H_

#include <cstdint>

namespace llmroute::internal {

// How many times this thread took a TableHolder's mutex in Resolve (first use of a holder
// on the thread, or first call after a swap). Constant in the steady state.
uint64_t HolderLocksTakenByThisThread();

}  // namespace llmroute::internal

#endif  // LLMROUTE_RELOAD_HOLDER_INTERNAL_H_
