// Early-return helpers for absl::Status and absl::StatusOr, private to the loader.
#ifndef LLMROUTE_LOAD_STATUS_MACROS_H_
#define LLMROUTE_LOAD_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define LOAD_RETURN_IF_ERROR(expr)               \
  do {                                           \
    const absl::Status load_status_ = (expr);    \
    if (!load_status_.ok()) return load_status_; \
  } while (false)

#define LOAD_CONCAT_INNER_(a, b) a##b
#define LOAD_CONCAT_(a, b) LOAD_CONCAT_INNER_(a, b)

// `lhs` may declare a variable: LOAD_ASSIGN_OR_RETURN(Field spec, doc.Get("spec"));
#define LOAD_ASSIGN_OR_RETURN(lhs, expr) \
  LOAD_ASSIGN_OR_RETURN_IMPL_(LOAD_CONCAT_(load_status_or_, __LINE__), lhs, expr)
#define LOAD_ASSIGN_OR_RETURN_IMPL_(status_or, lhs, expr)    \
  auto status_or = (expr);                                   \
  if (!status_or.ok()) return std::move(status_or).status(); \
  lhs = std::move(*status_or)

#endif  // LLMROUTE_LOAD_STATUS_MACROS_H_
