#include "llmroute/diagnostic.h"

#include "absl/strings/str_cat.h"

namespace llmroute {

std::string Diagnostic::ToString() const {
  std::string out;
  if (!where.file.empty()) absl::StrAppend(&out, where.file, ":");
  if (where.line > 0) {
    absl::StrAppend(&out, where.line, ":");
    if (where.column > 0) absl::StrAppend(&out, where.column, ":");
  }
  if (!out.empty()) out += ' ';
  out += severity == Severity::kError ? "error: " : "warning: ";
  if (!where.field.empty()) absl::StrAppend(&out, where.field, ": ");
  out += message;
  return out;
}

}  // namespace llmroute
