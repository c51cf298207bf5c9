// How Kubernetes types YAML scalars: the YAML 1.1 implicit types of plain (unquoted)
// scalars, so that a plain `1`, `true`, `yes` or `1.5` is not a string.
#ifndef LLMROUTE_LOAD_YAML_SCALAR_H_
#define LLMROUTE_LOAD_YAML_SCALAR_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace llmroute::load_internal {

// The type of a YAML value as the loader sees it.
enum class ValueKind { kNull, kBool, kInt, kFloat, kString, kMapping, kList };

// "null", "boolean", "integer", "float", "string", "mapping" or "list".
std::string_view ValueKindName(ValueKind kind);

// The YAML 1.1 type of a plain scalar: `~`, `null`, `Null`, `NULL` and the empty string
// are null; `y|n|yes|no|true|false|on|off` in their three spellings are booleans; decimal,
// `0x`, `0o`, leading-0 octal and `0b` numbers (with `_` separators) are integers;
// `1.5`, `1e3`, `.inf` and `.nan` are floats; everything else is a string.
ValueKind ResolvePlainScalar(std::string_view text);

// The value of a scalar that resolves to kBool.
std::optional<bool> ParseYamlBool(std::string_view text);

// The value of a scalar that resolves to kInt; nullopt when it does not fit in int64.
std::optional<int64_t> ParseYamlInt(std::string_view text);

}  // namespace llmroute::load_internal

#endif  // LLMROUTE_LOAD_YAML_SCALAR_H_
