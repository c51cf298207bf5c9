// Process-wide numbers for backend names ("namespace/name"), shared by every table and
// health view: a table learns its backends' numbers when it is compiled, a view stores
// marks by number, so resolve compares no names.
#ifndef LLMROUTE_HEALTH_NAME_REGISTRY_H_
#define LLMROUTE_HEALTH_NAME_REGISTRY_H_

#include <cstdint>
#include <limits>
#include <string_view>

namespace llmroute::internal {

inline constexpr uint32_t kNoHealthName = std::numeric_limits<uint32_t>::max();

// The name's number, assigned on first sight (kNoHealthName past kMaxHealthNames names).
// Takes a process-wide mutex; thread-safe.
uint32_t InternHealthName(std::string_view namespace_, std::string_view name);
// The name's number if it has one, else kNoHealthName. Thread-safe.
uint32_t FindHealthName(std::string_view namespace_, std::string_view name);

}  // namespace llmroute::internal

#endif  // LLMROUTE_HEALTH_NAME_REGISTRY_H_
