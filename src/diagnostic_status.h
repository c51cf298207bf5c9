// How the library makes an error status from a Diagnostic (DiagnosticOf, in
// llmroute/diagnostic.h, reads it back).
#ifndef LLMROUTE_DIAGNOSTIC_STATUS_H_
#define LLMROUTE_DIAGNOSTIC_STATUS_H_

#include "absl/status/status.h"
#include "llmroute/diagnostic.h"

namespace llmroute::internal {

// A status with `code` (not OK), the diagnostic's ToString() as its message, and the
// diagnostic itself as a payload.
absl::Status DiagnosticError(absl::StatusCode code, const Diagnostic& diagnostic);

}  // namespace llmroute::internal

#endif  // LLMROUTE_DIAGNOSTIC_STATUS_H_
