// Load: configuration text (YAML or JSON) → Config.
//
// Accepts YAML (several documents separated by `---`) and JSON (one object, an array of
// objects, or a Kubernetes `List` with `items`), of the kinds LLMRoute, AIGatewayRoute,
// HTTPRoute, LLMBackend and AIServiceBackend (docs/routing.md#route-order). Other kinds
// are skipped with a warning; unknown fields are ignored; a known field of the wrong type
// is an error.
// Scalars are typed as Kubernetes reads YAML: a plain `1`, `true` or `yes` is not a string.
//
// Errors come back as absl::InvalidArgumentError (bad content) or absl::NotFoundError /
// absl::PermissionDeniedError (file cannot be read) whose message is one
// `Diagnostic::ToString()` line: "file:line:column: error: field: message".
//
// Thread-safety: the functions keep no state; call them from any thread.
#ifndef LLMROUTE_LOAD_H_
#define LLMROUTE_LOAD_H_

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "llmroute/config.h"

namespace llmroute {

// Limits enforced while loading.
inline constexpr std::size_t kMaxDocumentBytes = 1 << 20;  // 1 MiB of text per document
inline constexpr std::size_t kMaxFileBytes = 64 << 20;     // 64 MiB per file

// Parses `text`; `file_name` is used only in messages.
absl::StatusOr<Config> LoadConfigText(std::string_view text, std::string_view file_name = "");

// Reads and parses one file. A path with a NUL byte is refused (absl::InvalidArgumentError)
// rather than cut at the NUL, which would name another file.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// Reads and parses several files into one Config, in order.
absl::StatusOr<Config> LoadConfigFiles(std::span<const std::string> paths);

// Appends everything in `more` to `into` (routes, backends, warnings).
void MergeConfig(Config& into, Config&& more);

}  // namespace llmroute

#endif  // LLMROUTE_LOAD_H_
