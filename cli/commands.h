// The subcommands of `llmroute`, each given an already-validated command line.
//
// Every command loads all FILEs into one Config and compiles it with the options from the
// command line; a config error is printed as `file:line:col: error: ...` and ends the
// command with kExitConfigError.
#ifndef LLMROUTE_CLI_COMMANDS_H_
#define LLMROUTE_CLI_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmroute/table.h"

namespace llmroute::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConfigError = 1;
inline constexpr int kExitUsage = 2;

// One `--header 'Name: value'`, already split.
struct HeaderArgument {
  std::string name;
  std::string value;
};

// What the command line asked for.
struct CommandLine {
  std::string command;  // "check", "resolve", "models", "headers", "explain" or "next"
  std::vector<std::string> files;  // the configuration files, in order
  CompileOptions compile_options;

  // The single request of `resolve` and `explain`.
  std::vector<HeaderArgument> headers;
  std::optional<std::string> method;
  std::optional<std::string> host;
  std::optional<std::string> path;
  std::optional<std::string> body_file;  // "-": standard input
  std::optional<uint64_t> entropy;
  // `--down NS/NAME`: backends down for the whole run (resolve, explain).
  std::vector<std::string> down;

  // `next`: the attempts made so far (>= 1) and the last one's outcome (an HTTP status
  // 100-599, or 0 for a connection failure or timeout); both required.
  std::optional<uint32_t> attempt;
  std::optional<int> status;

  // `resolve --requests`: JSON Lines instead of the single request.
  std::optional<std::string> requests_file;  // "-": standard input
};

// `llmroute check`: the warnings and the error, one `Diagnostic::ToString()` line each,
// on standard output; kExitOk when there is no error.
int RunCheck(const CommandLine& command_line);

// `llmroute resolve`: one decision line for the request given by flags, or one for each
// line of `--requests`. kExitOk whatever the decisions say.
int RunResolve(const CommandLine& command_line);

// `llmroute models`: the models list as one JSON line.
int RunModels(const CommandLine& command_line);

// `llmroute headers`: the request headers the table owns, one lower-cased name a line.
int RunHeaders(const CommandLine& command_line);

// `llmroute explain`: for a person, how the request given by flags gets its decision
// (routes, standard header, each candidate's conditions met or not); kExitOk.
int RunExplain(const CommandLine& command_line);

// `llmroute next`: the decision for the request given by flags and the backend to try
// after `attempt` tries ending with `status`, as one JSON line; kExitOk.
int RunNext(const CommandLine& command_line);

}  // namespace llmroute::cli

#endif  // LLMROUTE_CLI_COMMANDS_H_
