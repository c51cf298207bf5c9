// Debian 12's Abseil has its own absl::string_view, distinct from std::string_view; the
// project speaks std::string_view and converts at the Abseil calls with this one helper.
#ifndef LLMROUTE_TEXT_VIEWS_H_
#define LLMROUTE_TEXT_VIEWS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace llmroute {

inline absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace llmroute

#endif  // LLMROUTE_TEXT_VIEWS_H_
