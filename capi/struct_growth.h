// The growth rule for structs that cross the C ABI by pointer (llmroute/c.h, "ABI
// growth"): the caller's struct may be an older, shorter layout or a newer, longer one.
// Internal to the library and its tests; not installed.
#ifndef LLMROUTE_CAPI_STRUCT_GROWTH_H_
#define LLMROUTE_CAPI_STRUCT_GROWTH_H_

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace llmroute::capi_internal {

// Writes the library's `known_size` bytes at `known` into the caller's struct at `out`,
// which is `out_size` bytes long: only the first min(known_size, out_size) bytes (a
// shorter, older struct holds nothing more), then zero bytes up to out_size (the fields of
// a newer struct that this library does not know read as absent).
inline void WriteGrownStruct(const void* known, std::size_t known_size, void* out,
                             std::size_t out_size) {
  std::memcpy(out, known, std::min(known_size, out_size));
  if (out_size > known_size) {
    std::memset(static_cast<char*>(out) + known_size, 0, out_size - known_size);
  }
}

}  // namespace llmroute::capi_internal

#endif  // LLMROUTE_CAPI_STRUCT_GROWTH_H_
