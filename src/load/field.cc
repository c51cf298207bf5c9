#include "text/views.h"
#include "load/field.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "diagnostic_status.h"
#include "load/yaml_scalar.h"

namespace llmroute::load_internal {

Field::Field(const std::string* file, std::optional<YamlValue> value, int line, int column,
             std::string path, bool null_is_error)
    : file_(file),
      value_(std::move(value)),
      line_(line),
      column_(column),
      path_(std::move(path)),
      null_is_error_(null_is_error) {
  if (value_.has_value() && value_->is_null()) value_.reset();
}

Field Field::Root(const std::string* file, const YamlValue& root) {
  return Field(file, root, root.line(), root.column(), "", /*null_is_error=*/false);
}

Origin Field::origin() const {
  Origin where;
  where.file = *file_;
  where.line = line_;
  where.column = column_;
  where.field = path_;
  return where;
}

absl::Status Field::Error(std::string_view message) const {
  return internal::DiagnosticError(absl::StatusCode::kInvalidArgument,
                                   Diagnostic{Severity::kError, origin(), std::string(message)});
}

absl::Status Field::TypeError(std::string_view expected) const {
  const ValueKind got = value_.has_value() ? value_->kind() : ValueKind::kNull;
  std::string message =
      absl::StrCat("expected ", AsAbsl(expected), ", got ", AsAbsl(ValueKindName(got)));
  const bool wants_string = expected == "a string";
  if (wants_string && value_.has_value() && !value_->quoted() &&
      (got == ValueKind::kBool || got == ValueKind::kInt || got == ValueKind::kFloat)) {
    absl::StrAppend(&message, " (quote it to make it a string)");
  } else if (!wants_string && got == ValueKind::kString && value_->quoted() &&
             ResolvePlainScalar(value_->text()) != ValueKind::kString) {
    absl::StrAppend(&message, " (remove the quotes)");
  }
  return Error(message);
}

absl::Status Field::UnknownValue(std::string_view value,
                                 const std::vector<std::string_view>& known) const {
  std::vector<absl::string_view> names;
  for (std::string_view name : known) names.push_back(AsAbsl(name));
  return Error(absl::StrCat("unknown value \"", AsAbsl(value), "\" (expected ",
                            absl::StrJoin(names, ", "), ")"));
}

absl::Status Field::ExpectMapping() const {
  if (!value_.has_value()) {
    return null_is_error_ ? TypeError("a mapping") : absl::OkStatus();
  }
  if (value_->kind() != ValueKind::kMapping) return TypeError("a mapping");
  return absl::OkStatus();
}

absl::StatusOr<Field> Field::Get(std::string_view key) const {
  if (absl::Status status = ExpectMapping(); !status.ok()) return status;
  std::string path = path_.empty() ? std::string(key) : absl::StrCat(path_, ".", AsAbsl(key));
  std::optional<YamlValue> member;
  if (value_.has_value()) member = value_->Find(key);
  if (member.has_value()) {
    const int line = member->line();
    const int column = member->column();
    return Field(file_, std::move(member), line, column, std::move(path),
                 /*null_is_error=*/false);
  }
  return Field(file_, std::nullopt, line_, column_, std::move(path), /*null_is_error=*/false);
}

absl::StatusOr<std::vector<Field>> Field::Items() const {
  std::vector<Field> items;
  if (!value_.has_value()) {
    if (null_is_error_) return TypeError("a list");
    return items;
  }
  if (value_->kind() != ValueKind::kList) return TypeError("a list");
  items.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    const YamlValue item = value_->item(i);
    items.push_back(Field(file_, item, item.line(), item.column(), absl::StrCat(path_, "[", i, "]"),
                          /*null_is_error=*/true));
  }
  return items;
}

absl::StatusOr<std::optional<LocatedString>> Field::String() const {
  if (!value_.has_value()) {
    if (null_is_error_) return TypeError("a string");
    return std::optional<LocatedString>();
  }
  if (value_->kind() != ValueKind::kString) return TypeError("a string");
  return std::optional<LocatedString>(LocatedString{std::string(value_->text()), origin()});
}

absl::StatusOr<std::optional<int64_t>> Field::Integer() const {
  if (!value_.has_value()) {
    if (null_is_error_) return TypeError("an integer");
    return std::optional<int64_t>();
  }
  if (value_->kind() != ValueKind::kInt) return TypeError("an integer");
  const std::optional<int64_t> number = ParseYamlInt(value_->text());
  if (!number.has_value()) {
    return Error(absl::StrCat("integer ", AsAbsl(value_->text()), " is out of range"));
  }
  return number;
}

absl::StatusOr<std::optional<bool>> Field::Boolean() const {
  if (!value_.has_value()) {
    if (null_is_error_) return TypeError("a boolean");
    return std::optional<bool>();
  }
  if (value_->kind() != ValueKind::kBool) return TypeError("a boolean");
  return ParseYamlBool(value_->text());
}

absl::StatusOr<LocatedString> Field::RequiredString() const {
  absl::StatusOr<std::optional<LocatedString>> text = String();
  if (!text.ok()) return text.status();
  if (!text->has_value()) return Error("required field is missing");
  return std::move(**text);
}

absl::StatusOr<LocatedString> Field::NonEmptyString() const {
  absl::StatusOr<LocatedString> text = RequiredString();
  if (text.ok() && text->value.empty()) return Error("must not be empty");
  return text;
}

}  // namespace llmroute::load_internal
