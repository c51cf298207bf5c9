// JSON string literals for the CLI's output.
//
// Whatever bytes a config or a request holds, the CLI's output must stay valid JSON:
// quotes, backslashes and control characters are escaped, and bytes that are not valid
// UTF-8 are replaced by U+FFFD (one replacement character for each such byte).
#ifndef LLMROUTE_CLI_JSON_STRING_H_
#define LLMROUTE_CLI_JSON_STRING_H_

#include <string>
#include <string_view>

namespace llmroute::cli {

// Appends `text` to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace llmroute::cli

#endif  // LLMROUTE_CLI_JSON_STRING_H_
