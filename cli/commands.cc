#include "commands.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "backend_names.h"
#include "decision_json.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/diagnostic.h"
#include "llmroute/explain.h"
#include "llmroute/health.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "request_lines.h"
#include "text/views.h"

namespace llmroute::cli {
namespace {

void WriteText(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

void WriteLine(std::FILE* stream, std::string& line) {
  line += '\n';
  WriteText(stream, line);
}

// Load and compile errors carry their diagnostic ("file:line:col: error: ..."); anything
// else (out of memory, or a bug in the library) still gets a recognizable prefix.
void PrintError(std::FILE* stream, const absl::Status& status) {
  const std::optional<Diagnostic> diagnostic = DiagnosticOf(status);
  std::string line = diagnostic.has_value() ? diagnostic->ToString()
                                            : absl::StrCat("llmroute: error: ", status.message());
  WriteLine(stream, line);
}

void PrintDiagnostic(std::FILE* stream, const Diagnostic& diagnostic) {
  std::string line = diagnostic.ToString();
  WriteLine(stream, line);
}

// Loads every file into one Config and compiles it. Warnings and the error go to
// `diagnostics`; returns null after an error.
std::shared_ptr<const RoutingTable> LoadAndCompile(const CommandLine& command_line,
                                                   std::FILE* diagnostics) {
  absl::StatusOr<Config> config = LoadConfigFiles(command_line.files);
  if (!config.ok()) {
    PrintError(diagnostics, config.status());
    return nullptr;
  }
  absl::StatusOr<std::shared_ptr<const RoutingTable>> table =
      Compile(*config, command_line.compile_options);
  if (!table.ok()) {
    // The table would have reported the loader's warnings; without one, print them here.
    for (const Diagnostic& warning : config->warnings) PrintDiagnostic(diagnostics, warning);
    PrintError(diagnostics, table.status());
    return nullptr;
  }
  for (const Diagnostic& warning : (*table)->warnings()) {
    PrintDiagnostic(diagnostics, warning);
  }
  return *std::move(table);
}

// Opens `path` for reading; "-" is standard input. Null (with `error` set) on failure.
std::FILE* OpenInput(const std::string& path, std::string& error) {
  if (path == "-") return stdin;
  std::FILE* stream = std::fopen(path.c_str(), "rb");
  if (stream == nullptr) error = absl::StrCat(path, ": ", std::strerror(errno));
  return stream;
}

void CloseInput(std::FILE* stream) {
  if (stream != stdin) std::fclose(stream);
}

// Reads all of `path` ("-": standard input) into `contents`, followed by
// kBodyPaddingBytes zero bytes that are not counted in the returned size.
bool ReadPaddedFile(const std::string& path, std::string& contents, std::size_t& size,
                    std::string& error) {
  std::FILE* stream = OpenInput(path, error);
  if (stream == nullptr) return false;
  contents.clear();
  char chunk[1 << 16];
  std::size_t read;
  while ((read = std::fread(chunk, 1, sizeof(chunk), stream)) > 0) contents.append(chunk, read);
  const bool failed = std::ferror(stream) != 0;
  if (failed) error = absl::StrCat(path, ": read error");
  CloseInput(stream);
  if (failed) return false;
  size = contents.size();
  contents.resize(size + kBodyPaddingBytes, '\0');
  return true;
}

// Standard output is flushed at exit; a failed write (a full disk) must not look like
// success.
int FinishOutput(int exit_code) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::fputs("llmroute: error: cannot write to standard output\n", stderr);
    return kExitConfigError;
  }
  return exit_code;
}

// Marks every "namespace/name" of both lists down in `health` (names were checked when
// read); false after printing the error when the view refuses one.
bool MarkDown(const std::vector<std::string>& names, const std::vector<std::string_view>& more,
              HealthView& health) {
  auto mark = [&](std::string_view full) {
    std::string_view namespace_, name;
    if (!SplitNamespacedName(full, namespace_, name)) return true;
    const absl::Status status = health.MarkDown(namespace_, name);
    if (status.ok()) return true;
    std::fputs(absl::StrCat("llmroute: --down ", AsAbsl(full), ": ", status.message(), "\n").c_str(),
               stderr);
    return false;
  };
  for (const std::string& full : names) {
    if (!mark(full)) return false;
  }
  for (std::string_view full : more) {
    if (!mark(full)) return false;
  }
  return true;
}

enum class Output { kDecision, kExplain, kNextAttempt };

// Resolves the request given by flags and prints its decision as JSON, the report of how
// it was reached (`explain`), or the decision and its next attempt (`next`).
int ResolveOne(const CommandLine& command_line, const RoutingTable& table, Output output) {
  std::string body_buffer;
  std::size_t body_size = 0;
  if (command_line.body_file.has_value()) {
    std::string error;
    if (!ReadPaddedFile(*command_line.body_file, body_buffer, body_size, error)) {
      std::fputs(absl::StrCat("llmroute: cannot read --body ", error, "\n").c_str(), stderr);
      return kExitUsage;
    }
  }

  std::vector<Header> headers;
  headers.reserve(command_line.headers.size());
  for (const HeaderArgument& header : command_line.headers) {
    headers.push_back(Header{header.name, header.value});
  }
  Request request;
  if (command_line.method.has_value()) request.method = *command_line.method;
  if (command_line.host.has_value()) request.host = *command_line.host;
  if (command_line.path.has_value()) request.path = *command_line.path;
  request.headers = headers;
  if (command_line.body_file.has_value()) {
    request.body = std::string_view(body_buffer.data(), body_size);
    request.body_padding = kBodyPaddingBytes;
  }
  request.entropy = command_line.entropy;
  HealthView health;
  if (!MarkDown(command_line.down, {}, health)) return kExitUsage;
  if (!command_line.down.empty()) request.health = &health;

  if (output == Output::kExplain) {
    std::fputs(Explain(table, request).c_str(), stdout);
    return FinishOutput(kExitOk);
  }
  // The decision points into `table`, `headers` and `body_buffer`: print it while they live.
  const Decision decision = table.Resolve(request);
  std::string line;
  if (output == Output::kNextAttempt) {
    AppendNextAttemptJson(line, decision,
                          NextAttempt(decision, *command_line.attempt, *command_line.status));
  } else {
    AppendDecisionJson(line, decision);
  }
  WriteLine(stdout, line);
  return FinishOutput(kExitOk);
}

int ResolveLines(const CommandLine& command_line, const RoutingTable& table) {
  std::string error;
  std::FILE* input = OpenInput(*command_line.requests_file, error);
  if (input == nullptr) {
    std::fputs(absl::StrCat("llmroute: cannot read --requests ", error, "\n").c_str(), stderr);
    return kExitUsage;
  }
  // Someone feeding requests through a pipe may wait for each answer before sending the
  // next request: answer line by line then. A regular file is answered in bulk.
  struct stat input_stat;
  const bool flush_each_line =
      fstat(fileno(input), &input_stat) != 0 || !S_ISREG(input_stat.st_mode);

  LineReader reader(input);
  RequestLineParser parser;
  std::string_view line;
  std::string output;
  std::string reason;
  uint64_t line_number = 0;
  while (reader.Next(line)) {
    ++line_number;
    Request request;
    const absl::Status parsed = parser.Parse(line, request);
    Decision decision;
    // A fresh view per line: the line's own `down` applies to that line only.
    std::optional<HealthView> health;
    if (parsed.ok() && (!command_line.down.empty() || !parser.down().empty())) {
      health.emplace();
      MarkDown(command_line.down, parser.down(), *health);
      request.health = &*health;
    }
    if (parsed.ok()) {
      decision = table.Resolve(request);
    } else {
      reason = absl::StrCat("request line ", line_number, ": ", parsed.message());
      decision.status = DecisionStatus::kBadRequest;
      decision.http_status = HttpStatusOf(DecisionStatus::kBadRequest);
      decision.reason = reason;
    }
    // The decision points into `parser` and `table`: print it before the next line.
    output.clear();
    AppendDecisionJson(output, decision);
    WriteLine(stdout, output);
    if (flush_each_line) std::fflush(stdout);
  }
  const bool read_failed = reader.failed();
  CloseInput(input);
  if (read_failed) {
    std::fputs(
        absl::StrCat("llmroute: error reading --requests ", *command_line.requests_file, "\n")
            .c_str(),
        stderr);
    FinishOutput(kExitOk);
    return kExitUsage;
  }
  return FinishOutput(kExitOk);
}

}  // namespace

int RunCheck(const CommandLine& command_line) {
  // Like a compiler: diagnostics on standard output, nothing else, the exit code says.
  const std::shared_ptr<const RoutingTable> table = LoadAndCompile(command_line, stdout);
  return FinishOutput(table == nullptr ? kExitConfigError : kExitOk);
}

int RunResolve(const CommandLine& command_line) {
  // Standard output carries only decisions; diagnostics go to standard error.
  const std::shared_ptr<const RoutingTable> table = LoadAndCompile(command_line, stderr);
  if (table == nullptr) return kExitConfigError;
  if (command_line.requests_file.has_value()) return ResolveLines(command_line, *table);
  return ResolveOne(command_line, *table, Output::kDecision);
}

int RunModels(const CommandLine& command_line) {
  const std::shared_ptr<const RoutingTable> table = LoadAndCompile(command_line, stderr);
  if (table == nullptr) return kExitConfigError;
  std::string line;
  AppendModelsJson(line, command_line.host.has_value() ? table->models(*command_line.host)
                                                        : table->models());
  WriteLine(stdout, line);
  return FinishOutput(kExitOk);
}

int RunHeaders(const CommandLine& command_line) {
  const std::shared_ptr<const RoutingTable> table = LoadAndCompile(command_line, stderr);
  if (table == nullptr) return kExitConfigError;
  for (std::string_view name : table->owned_headers()) {
    std::string line(name);
    WriteLine(stdout, line);
  }
  return FinishOutput(kExitOk);
}

int RunExplain(const CommandLine& command_line) {
  const std::shared_ptr<const RoutingTable> table = LoadAndCompile(command_line, stderr);
  if (table == nullptr) return kExitConfigError;
  return ResolveOne(command_line, *table, Output::kExplain);
}

int RunNext(const CommandLine& command_line) {
  const std::shared_ptr<const RoutingTable> table = LoadAndCompile(command_line, stderr);
  if (table == nullptr) return kExitConfigError;
  return ResolveOne(command_line, *table, Output::kNextAttempt);
}

}  // namespace llmroute::cli
