// Replaces the global operator new/delete with versions that count this thread's heap
// allocations, and can make one of them fail. Include it in exactly one source file of a
// program (it defines the replacements); counting per thread keeps other threads'
// allocations out of a measurement.
#ifndef LLMROUTE_BENCH_ALLOCATION_COUNTER_H_
#define LLMROUTE_BENCH_ALLOCATION_COUNTER_H_

#include <cstdint>
#include <cstdlib>
#include <new>

namespace llmroute::bench {
inline thread_local uint64_t t_allocations = 0;
inline thread_local uint64_t t_failing_allocation = 0;  // 0: none fails

// Heap allocations made by the calling thread so far.
inline uint64_t AllocationsOnThisThread() { return t_allocations; }

// Makes the calling thread's `n`-th allocation from now fail (operator new throws
// std::bad_alloc, the nothrow forms return null); 0 turns failing off.
inline void FailAllocationOnThisThread(uint64_t n) {
  t_failing_allocation = n == 0 ? 0 : t_allocations + n;
}

// Counts the allocation; true when it is the one that must fail.
inline bool CountAllocation() { return ++t_allocations == t_failing_allocation; }
}  // namespace llmroute::bench

// GCC 12 sees the replaced new/delete pair as malloc/free and warns of a mismatch that
// is not there (both sides are replaced together).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (llmroute::bench::CountAllocation()) throw std::bad_alloc();
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (llmroute::bench::CountAllocation()) return nullptr;
  return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

#endif  // LLMROUTE_BENCH_ALLOCATION_COUNTER_H_
