// The rules of matching, in one place: whether a path, header or query condition holds for
// a request's value (resolve and explain), whether one match accepts every request another
// accepts (check's shadowing warning), and the typed key naming a condition that an index
// or a bucket is built on (compile).
#ifndef LLMROUTE_MATCH_CONDITIONS_H_
#define LLMROUTE_MATCH_CONDITIONS_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "compile/compiled_table.h"
#include "re2/re2.h"

namespace llmroute::internal {

inline re2::StringPiece AsPiece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

// Segment-wise prefix: "/foo" matches "/foo", "/foo/" and "/foo/bar", not "/foobar".
// `prefix` has no trailing '/' ("" stands for "/", which matches every path).
inline bool PathHasPrefix(std::string_view path, std::string_view prefix) {
  return path.starts_with(prefix) &&
         (path.size() == prefix.size() || path[prefix.size()] == '/' || prefix.empty());
}

// Whether the match's path condition holds for `path`.
inline bool PathHolds(const CompiledMatch& match, std::string_view path) {
  switch (match.path_type) {
    case MatchType::kExact:
      return path == match.path;
    case MatchType::kPathPrefix:
      return match.path.empty() || PathHasPrefix(path, match.path);
    case MatchType::kRegularExpression:
      return RE2::FullMatch(AsPiece(path), *match.path_regex);
  }
  return false;
}

// Whether a header or query condition holds for the value seen (nullopt: not sent).
inline bool ValueHolds(const ValueCondition& condition, const std::optional<std::string_view>& seen) {
  if (!seen.has_value()) return false;
  if (condition.type == MatchType::kExact) return *seen == condition.value;
  return RE2::FullMatch(AsPiece(*seen), *condition.regex);
}

// Whether the match's method condition (if any) holds for `method`.
inline bool MethodHolds(const CompiledMatch& match, std::string_view method) {
  return !match.has_method || method == match.method;
}

// Every request `b` matches, `a` matches too (judged from the conditions as written: a
// condition of `a` must appear in `b`, and `a`'s path must accept every path of `b`'s).
bool MatchImplies(const CompiledTable& table, const CompiledMatch& a, const CompiledMatch& b);

// A condition as an index or bucket key: what it tests (kind), on which header or query
// slot (0 for paths), and the value or literal prefix. `value` points into the table.
struct ConditionKey {
  enum class Kind : uint8_t {
    kNone,              // no condition (a bucket for matches without one)
    kExactPath,
    kPathPrefix,
    kPathRegexPrefix,   // a path regex's literal prefix
    kHeader,            // an Exact header condition
    kHeaderRegexPrefix,  // a header regex's literal prefix
    kQuery,             // an Exact query condition
  };
  Kind kind = Kind::kNone;
  uint32_t slot = 0;
  std::string_view value;

  bool is_regex() const { return kind == Kind::kPathRegexPrefix || kind == Kind::kHeaderRegexPrefix; }

  friend bool operator==(const ConditionKey& a, const ConditionKey& b) {
    return a.kind == b.kind && a.slot == b.slot && a.value == b.value;
  }
  template <typename H>
  friend H AbslHashValue(H h, const ConditionKey& key) {
    return H::combine(std::move(h), key.kind, key.slot, absl::string_view(key.value.data(), key.value.size()));
  }
};

// The key of an Exact header or query condition (kHeader or kQuery).
inline ConditionKey ExactKey(const ValueCondition& condition, bool is_header) {
  return {is_header ? ConditionKey::Kind::kHeader : ConditionKey::Kind::kQuery, condition.key,
          condition.value};
}

}  // namespace llmroute::internal

#endif  // LLMROUTE_MATCH_CONDITIONS_H_
