// Typed reading of a document's fields, Kubernetes style: `null` is absent, a value of
// the wrong type is an error, and every error names the file, line, column and field path.
#ifndef LLMROUTE_LOAD_FIELD_H_
#define LLMROUTE_LOAD_FIELD_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "llmroute/config.h"
#include "llmroute/diagnostic.h"
#include "load/yaml_document.h"

namespace llmroute::load_internal {

// A field of a document at its path: present, or absent (not written, or `null`). An
// absent field remembers where its nearest written ancestor is, for "missing" errors.
class Field {
 public:
  // The root of a document (or of a list item, which is a document of its own).
  static Field Root(const std::string* file, const YamlValue& root);

  // Written and not null.
  bool present() const { return value_.has_value(); }
  // The value's type; kNull when absent.
  ValueKind kind() const { return value_.has_value() ? value_->kind() : ValueKind::kNull; }
  const std::string& path() const { return path_; }
  // Where the value is written; for an absent field, its nearest written ancestor.
  Origin origin() const;
  // An InvalidArgumentError at origin(): "file:line:col: error: path: message".
  absl::Status Error(std::string_view message) const;

  // The member `key` of this mapping; absent when this is absent. Error when this is
  // written but is not a mapping.
  absl::StatusOr<Field> Get(std::string_view key) const;
  // Ok when this is absent or a mapping.
  absl::Status ExpectMapping() const;
  // The items of this list (none when absent); an item that is `null` is an error when
  // read. Error when this is written but is not a list.
  absl::StatusOr<std::vector<Field>> Items() const;

  // The value, or nullopt when absent.
  absl::StatusOr<std::optional<LocatedString>> String() const;
  absl::StatusOr<std::optional<int64_t>> Integer() const;
  absl::StatusOr<std::optional<bool>> Boolean() const;

  // A string that must be written (it may be empty).
  absl::StatusOr<LocatedString> RequiredString() const;
  // A string that must be written and not be empty.
  absl::StatusOr<LocatedString> NonEmptyString() const;

  // A string that must be one of `names`; returns the value it names.
  template <typename T>
  absl::StatusOr<std::optional<T>> Enum(std::span<const std::pair<std::string_view, T>> names) const {
    absl::StatusOr<std::optional<LocatedString>> text = String();
    if (!text.ok()) return text.status();
    if (!text->has_value()) return std::optional<T>();
    for (const auto& [name, value] : names) {
      if ((*text)->value == name) return std::optional<T>(value);
    }
    std::vector<std::string_view> known;
    for (const auto& entry : names) known.push_back(entry.first);
    return UnknownValue((*text)->value, known);
  }
  template <typename T>
  absl::StatusOr<std::optional<T>> Enum(
      std::initializer_list<std::pair<std::string_view, T>> names) const {
    return Enum<T>(std::span<const std::pair<std::string_view, T>>(names.begin(), names.size()));
  }

 private:
  Field(const std::string* file, std::optional<YamlValue> value, int line, int column,
        std::string path, bool null_is_error);

  absl::Status TypeError(std::string_view expected) const;
  absl::Status UnknownValue(std::string_view value,
                            const std::vector<std::string_view>& known) const;

  const std::string* file_;
  std::optional<YamlValue> value_;  // nullopt: absent
  int line_;                        // 1-based, of the value or of its nearest written ancestor
  int column_;
  std::string path_;
  bool null_is_error_;  // a list item: `null` is not "absent" but a value of the wrong type
};

}  // namespace llmroute::load_internal

#endif  // LLMROUTE_LOAD_FIELD_H_
