// Debian's Abseil has its own absl::string_view, distinct from std::string_view (the one
// the llmroute API uses): these convert at the Abseil calls.
#ifndef LLMROUTE_CLI_STRING_VIEWS_H_
#define LLMROUTE_CLI_STRING_VIEWS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace llmroute::cli {

inline absl::string_view AsAbsl(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view AsStd(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace llmroute::cli

#endif  // LLMROUTE_CLI_STRING_VIEWS_H_
