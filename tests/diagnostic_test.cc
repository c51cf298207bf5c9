// Load and compile errors carry their Diagnostic as a payload of the status.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "diagnostic_status.h"
#include "gtest/gtest.h"
#include "llmroute/diagnostic.h"
#include "llmroute/load.h"
#include "llmroute/table.h"

namespace llmroute {
namespace {

TEST(DiagnosticOf, ALoadErrorCarriesItsPlace) {
  const absl::StatusOr<Config> config = LoadConfigText(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: b, weight: -1}]
)",
                                                       "routes.yaml");
  ASSERT_FALSE(config.ok());
  const std::optional<Diagnostic> diagnostic = DiagnosticOf(config.status());
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->severity, Severity::kError);
  EXPECT_EQ(diagnostic->where.file, "routes.yaml");
  EXPECT_EQ(diagnostic->where.line, 6);
  EXPECT_GT(diagnostic->where.column, 0);
  EXPECT_EQ(diagnostic->where.field, "spec.rules[0].backendRefs[0].weight");
  EXPECT_EQ(diagnostic->message, "weight must not be negative");
  EXPECT_EQ(diagnostic->ToString(), std::string(config.status().message()));
}

TEST(DiagnosticOf, AFileThatCannotBeReadNamesTheFile) {
  const absl::StatusOr<Config> config = LoadConfigFile("/nonexistent/llmroute/routes.yaml");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  const std::optional<Diagnostic> diagnostic = DiagnosticOf(config.status());
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->where.file, "/nonexistent/llmroute/routes.yaml");
  EXPECT_EQ(diagnostic->where.line, 0);
}

TEST(DiagnosticOf, ACompileErrorCarriesItsPlace) {
  const absl::StatusOr<Config> config = LoadConfigText(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: RegularExpression, value: "(unclosed"}}]
    backendRefs: [{name: b}]
)",
                                                       "r.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const auto table = Compile(*config);
  ASSERT_FALSE(table.ok());
  const std::optional<Diagnostic> diagnostic = DiagnosticOf(table.status());
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->where.file, "r.yaml");
  EXPECT_EQ(diagnostic->where.line, 6);
  EXPECT_EQ(diagnostic->ToString(), std::string(table.status().message()));
}

TEST(DiagnosticOf, RoundTripsEveryByte) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.where = Origin{std::string("a\n b\0c", 6), 7, 9, "spec.x[0]"};
  d.message = std::string("multi\nline \xff and\0nul", 20);
  const std::optional<Diagnostic> back =
      DiagnosticOf(internal::DiagnosticError(absl::StatusCode::kInvalidArgument, d));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->severity, d.severity);
  EXPECT_EQ(back->where.file, d.where.file);
  EXPECT_EQ(back->where.line, 7);
  EXPECT_EQ(back->where.column, 9);
  EXPECT_EQ(back->where.field, d.where.field);
  EXPECT_EQ(back->message, d.message);
}

TEST(DiagnosticOf, OtherStatusesHaveNone) {
  EXPECT_EQ(DiagnosticOf(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(DiagnosticOf(absl::InvalidArgumentError("x.yaml:1:1: error: looks like one")), std::nullopt);
  absl::Status garbled = absl::InvalidArgumentError("x");
  garbled.SetPayload("type.llmroute/llmroute.Diagnostic", absl::Cord("0 1 1 5 0 0\nab"));
  EXPECT_EQ(DiagnosticOf(garbled), std::nullopt);
}

}  // namespace
}  // namespace llmroute
