// Where a configuration problem is, and what it is.
//
// Every error or warning the loader and the compiler report names its place in the
// input: the file, the 1-based line and column when the input has lines, and the field
// path inside the document (`spec.rules[2].matches[0].headers[1].value`).
//
// Thread-safety: plain values; copy freely.
#ifndef LLMROUTE_DIAGNOSTIC_H_
#define LLMROUTE_DIAGNOSTIC_H_

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace llmroute {

// The place in the configuration text a value came from.
struct Origin {
  std::string file;   // as given to the loader; may be empty (text with no file)
  int line = 0;       // 1-based; 0 when unknown
  int column = 0;     // 1-based; 0 when unknown
  std::string field;  // field path inside the document, e.g. "spec.rules[0].name"
};

enum class Severity { kError, kWarning };

// One problem found in a configuration.
struct Diagnostic {
  Severity severity = Severity::kError;
  Origin where;
  std::string message;  // without location or severity, e.g. "invalid regular expression: ..."

  // "file:line:column: error|warning: field: message" — parts that are unknown are left
  // out (no file: "line:column: ..."; no line: "file: ..."; no field: "...: message").
  // This is the one format the CLI, the C ABI and absl::Status messages use. It is always
  // one line: control bytes and invalid UTF-8 are written as escapes (\n, \xNN).
  std::string ToString() const;
};

// The diagnostic an error status of LoadConfig*, Compile or TableHolder reload carries
// (its message is the diagnostic's ToString()), read back from the status's payload; or
// nullopt for an OK status and for errors that are not about the configuration (for
// example out of memory). Returns a copy: the status may be destroyed afterwards.
std::optional<Diagnostic> DiagnosticOf(const absl::Status& status);

}  // namespace llmroute

#endif  // LLMROUTE_DIAGNOSTIC_H_
