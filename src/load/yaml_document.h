// A thin typed layer over yaml-cpp's event parser: each YAML document becomes a compact
// tree of values that keep their 1-based line and column, with scalars typed as
// Kubernetes reads them (load/yaml_scalar.h).
//
// Why not YAML::Node: it keeps duplicate keys without a word, it costs hundreds of bytes
// a value, and it only exists once the whole input is parsed. Here a value costs a few
// dozen bytes, the items of a top-level list (a JSON array of objects, a Kubernetes
// List's `items`) are handed over one at a time and then dropped, and the limits (bytes
// per document, values per document once aliases are expanded) are checked while
// parsing, before the memory is spent.
#ifndef LLMROUTE_LOAD_YAML_DOCUMENT_H_
#define LLMROUTE_LOAD_YAML_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "load/yaml_scalar.h"

namespace llmroute::load_internal {

// At most this many values in one document, counting a value once for every alias that
// repeats it: a few kilobytes of `&a [*b, *b, ...]` cannot expand into gigabytes.
inline constexpr std::size_t kMaxExpandedValues = 1 << 20;

// One value of a parsed document (storage; read it through YamlValue).
struct YamlNode {
  enum class Shape : uint8_t { kScalar, kSequence, kMapping, kAlias };
  Shape shape = Shape::kScalar;
  ValueKind kind = ValueKind::kNull;  // the scalar's type; kList/kMapping for collections
  bool quoted = false;                // a quoted or block scalar (`"1"`, `'1'`, `|`)
  bool plain = false;                 // an untagged plain scalar (only these can be `<<`)
  bool complete = false;              // a collection whose end was seen
  bool streamed = false;              // a top-level list whose items were handed over
  int32_t line = 0;                   // 0-based, as yaml-cpp reports them
  int32_t column = 0;
  uint32_t text_offset = 0;  // scalars: the value in YamlTree::text
  uint32_t text_size = 0;
  uint32_t first_child = 0;  // collections: slots in YamlTree::children
  uint32_t child_slots = 0;  // (a mapping has two an entry: key, value)
  uint32_t alias_target = 0;
  uint32_t expanded = 1;  // values under this one, aliases expanded (capped)
};

struct YamlTree {
  std::vector<YamlNode> nodes;
  std::vector<uint32_t> children;
  std::string text;
};

// A read-only view of one value. An alias reads as the value it names, at the alias's
// own position. Valid while the parse callback that received it runs.
class YamlValue {
 public:
  YamlValue(const YamlTree* tree, uint32_t index);

  ValueKind kind() const { return node().kind; }
  bool is_null() const { return kind() == ValueKind::kNull; }
  bool quoted() const { return node().quoted; }
  // A scalar's text, as the YAML parser decoded it; empty for collections.
  std::string_view text() const;
  int line() const { return line_ + 1; }  // 1-based
  int column() const { return column_ + 1; }

  // Lists: the number of items and each item. Mappings: the number of entries.
  std::size_t size() const;
  YamlValue item(std::size_t i) const;
  YamlValue entry_key(std::size_t i) const;
  YamlValue entry_value(std::size_t i) const;

  // A mapping's value under `key`, also looking into YAML merge keys (`<<: *base`), own
  // keys first. nullopt when absent or when this is not a mapping.
  std::optional<YamlValue> Find(std::string_view key) const;

 private:
  const YamlNode& node() const { return tree_->nodes[index_]; }
  std::optional<YamlValue> FindInMerged(std::string_view key, int depth) const;

  const YamlTree* tree_;
  uint32_t index_;
  int32_t line_;
  int32_t column_;
};

// Receives the documents of a YAML stream as they are parsed.
class YamlDocumentHandler {
 public:
  virtual ~YamlDocumentHandler() = default;

  // One item of a top-level list: the document's root list (`in_root_list`) or the
  // `items` list of the document's root mapping (maybe a Kubernetes List; the handler
  // learns its kind only with OnDocument). Called as soon as the item is complete; the
  // item is dropped afterwards. An error stops the parse and is returned.
  virtual absl::Status OnListItem(const YamlValue& item, bool in_root_list) = 0;

  // One whole document, after the items of its top-level list (which reads as empty
  // here). An empty document comes as a null root.
  virtual absl::Status OnDocument(const YamlValue& root) = 0;
};

// What reading a text came to.
struct ParseOutcome {
  absl::Status status;
  // For a syntax error, how far the reader got (a byte offset). Of a failed JSON reading
  // and a failed YAML reading of one text, the one that got further is the better guess.
  std::optional<int64_t> syntax_error_pos;
};

// Reads every document of `text` as YAML (which JSON is, too). Errors (YAML syntax,
// duplicate keys, a document larger than `max_document_bytes` or with too many values,
// and whatever the handler returns) are absl::InvalidArgumentError with a
// `Diagnostic::ToString()` message naming `file_name`, the line and the column.
ParseOutcome ParseYamlStream(std::string_view text, std::string_view file_name,
                             std::size_t max_document_bytes, YamlDocumentHandler& handler);

// Reads `text` as one JSON value, a document, with the same tree, limits and errors as
// ParseYamlStream but in constant memory for the items of a top-level array or List.
// A syntax error ("invalid JSON: ...") leaves the handler with a part of the documents.
ParseOutcome ParseJsonText(std::string_view text, std::string_view file_name,
                           std::size_t max_document_bytes, YamlDocumentHandler& handler);

}  // namespace llmroute::load_internal

#endif  // LLMROUTE_LOAD_YAML_DOCUMENT_H_
