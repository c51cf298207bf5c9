// "namespace/name" as the CLI takes it (--down, a request line's "down").
#ifndef LLMROUTE_CLI_BACKEND_NAMES_H_
#define LLMROUTE_CLI_BACKEND_NAMES_H_

#include <string_view>

namespace llmroute::cli {

// "namespace/name" with both parts non-empty (a name has no '/'): splits it, or false.
inline bool SplitNamespacedName(std::string_view text, std::string_view& namespace_,
                                std::string_view& name) {
  const std::size_t slash = text.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string_view::npos) {
    return false;
  }
  namespace_ = text.substr(0, slash);
  name = text.substr(slash + 1);
  return true;
}

inline bool IsNamespacedName(std::string_view text) {
  std::string_view namespace_, name;
  return SplitNamespacedName(text, namespace_, name);
}

}  // namespace llmroute::cli

#endif  // LLMROUTE_CLI_BACKEND_NAMES_H_
