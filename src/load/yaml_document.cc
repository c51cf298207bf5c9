#include "text/views.h"
#include "load/yaml_document.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <istream>
#include <limits>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "diagnostic_status.h"
#include "llmroute/diagnostic.h"
#include "load/json_events.h"
#include "load/yaml_scalar.h"
#include "yaml-cpp/anchor.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/emitterstyle.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace llmroute::load_internal {
namespace {

constexpr uint32_t kGone = std::numeric_limits<uint32_t>::max();

// Mappings with more keys than this find duplicates with a hash map instead of a scan.
constexpr std::size_t kLinearKeyScanLimit = 16;

// The tags yaml-cpp reports: `?` for a plain scalar, `!` for a quoted or block one, the
// expanded form for `!!str` and friends.
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kNonPlainTag = "!";
constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";
constexpr std::string_view kNullTag = "tag:yaml.org,2002:null";
constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
constexpr std::string_view kFloatTag = "tag:yaml.org,2002:float";

absl::Status ErrorAt(std::string_view file, int line0, int column0, std::string field,
                     std::string message) {
  Origin where;
  where.file = std::string(file);
  where.line = line0 >= 0 ? line0 + 1 : 0;
  where.column = column0 >= 0 ? column0 + 1 : 0;
  where.field = std::move(field);
  return internal::DiagnosticError(absl::StatusCode::kInvalidArgument,
                                   Diagnostic{Severity::kError, std::move(where), std::move(message)});
}

// Thrown from inside yaml-cpp's callbacks to stop the parse; caught in ParseYamlStream.
struct StopParsing {};

std::string TooLargeMessage(int64_t max_document_bytes) {
  return absl::StrCat("document is larger than the limit of ", max_document_bytes, " bytes");
}

// Serves the text to yaml-cpp a few kilobytes at a time, and ends it early when the parser
// reads far past the last value it reported: yaml-cpp reads a whole flow collection (and
// keeps every token of it, some thirty bytes each) before reporting its first value, so
// a 64 MiB `[...]` would cost gigabytes before the document size limit could apply.
class GuardedTextBuffer final : public std::streambuf {
 public:
  GuardedTextBuffer(std::string_view text, int64_t max_read_ahead)
      : text_(text), max_read_ahead_(max_read_ahead) {
    char* begin = const_cast<char*>(text_.data());  // read only: no put area, no writes
    setg(begin, begin, begin);
  }

  // The parser has reported a value at `mark`.
  void Reached(const YAML::Mark& mark) {
    if (mark.pos > reached_.pos) reached_ = mark;
  }

  bool stopped() const { return stopped_; }
  int64_t bytes_served() const { return egptr() - eback(); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const int64_t served = bytes_served();
    if (served >= static_cast<int64_t>(text_.size())) return traits_type::eof();
    if (served - reached_.pos > max_read_ahead_) {
      stopped_ = true;
      return traits_type::eof();
    }
    constexpr int64_t kChunkBytes = 16 * 1024;
    const int64_t end = std::min<int64_t>(served + kChunkBytes, static_cast<int64_t>(text_.size()));
    // The whole text before stays readable, so putback always works.
    setg(eback(), eback() + served, eback() + end);
    return traits_type::to_int_type(*gptr());
  }

 private:
  const std::string_view text_;
  const int64_t max_read_ahead_;
  YAML::Mark reached_;
  bool stopped_ = false;
};

// Builds one document at a time from yaml-cpp's events and hands it to the handler.
//
// Each node is appended to flat arrays; a collection's children are collected on a stack
// and copied to `children` when it ends. An item of a top-level list is handed over as
// soon as it ends and the arrays are cut back to where it began, so a List of a thousand
// routes never holds more than one route's tree.
class TreeBuilder final : public YAML::EventHandler {
 public:
  // `buffer`, when given, learns how far the parse has got.
  TreeBuilder(std::string_view file_name, std::string_view text, std::size_t max_document_bytes,
              YamlDocumentHandler& handler, GuardedTextBuffer* buffer)
      : file_name_(file_name),
        text_(text),
        text_size_(static_cast<int64_t>(text.size())),
        max_document_bytes_(static_cast<int64_t>(max_document_bytes)),
        handler_(handler),
        buffer_(buffer) {}

  // Hands over the last document, which ends where the text ends.
  void FinishStream() {
    if (in_document_) FinishDocument(text_size_);
  }

  absl::Status TakeError() { return std::move(error_); }

  // Where a "document is larger than the limit" error belongs now: the open list item, or
  // the document.
  std::pair<int, int> SizeErrorPlace() const {
    if (item_.open) return {item_.start.line, item_.start.column};
    if (root_.has_value()) return {tree_.nodes[*root_].line, tree_.nodes[*root_].column};
    return {document_start_.line, document_start_.column};
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 can loop forever on a stray token (a `,` outside any flow collection),
    // starting empty document after empty document at the same place.
    if (documents_started_ > 0 && mark.pos <= document_start_.pos) {
      FailAt(mark.line, mark.column, "", UnexpectedContent(mark.pos));
    }
    ++documents_started_;
    if (buffer_ != nullptr) buffer_->Reached(mark);
    // A document's text runs to where the next one starts.
    if (in_document_) FinishDocument(mark.pos);
    StartDocument(mark);
  }

  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    BeforeValue(mark, mark.pos);
    YamlNode node = NewNode(mark, YamlNode::Shape::kScalar, ValueKind::kNull);
    CompleteValue(AddNode(node, anchor));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    BeforeValue(mark, mark.pos + 1);
    const uint32_t target = anchor < anchor_nodes_.size() ? anchor_nodes_[anchor] : kGone;
    if (target == kGone) {
      FailAt(mark.line, mark.column, CurrentPath(/*value_attached=*/false),
             "an alias may not refer to an anchor inside another item of a top-level list");
    }
    const YamlNode& target_node = tree_.nodes[target];
    if (target_node.streamed) {
      FailAt(mark.line, mark.column, CurrentPath(/*value_attached=*/false),
             "an alias may not refer to a top-level list of documents");
    }
    if (target_node.shape != YamlNode::Shape::kScalar && !target_node.complete) {
      FailAt(mark.line, mark.column, CurrentPath(/*value_attached=*/false),
             "an alias may not refer to a value that contains it");
    }
    YamlNode node = NewNode(mark, YamlNode::Shape::kAlias, target_node.kind);
    node.alias_target = target;
    node.expanded = target_node.expanded;
    CompleteValue(AddNode(node, YAML::NullAnchor));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    BeforeValue(mark, mark.pos + static_cast<int64_t>(value.size()));
    YamlNode node = NewNode(mark, YamlNode::Shape::kScalar, ScalarKind(mark, tag, value));
    node.plain = tag == kPlainTag;
    node.quoted = tag == kNonPlainTag;
    if (node.kind != ValueKind::kNull) {
      node.text_offset = static_cast<uint32_t>(tree_.text.size());
      node.text_size = static_cast<uint32_t>(value.size());
      tree_.text += value;
    }
    CompleteValue(AddNode(node, anchor));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    BeforeValue(mark, mark.pos + 1);
    const bool streamed = AtDocumentListPosition();
    YamlNode node = NewNode(mark, YamlNode::Shape::kSequence, ValueKind::kList);
    node.streamed = streamed;
    OpenCollection(AddNode(node, anchor), streamed);
  }

  void OnSequenceEnd() override { CloseCollection(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    BeforeValue(mark, mark.pos + 1);
    YamlNode node = NewNode(mark, YamlNode::Shape::kMapping, ValueKind::kMapping);
    OpenCollection(AddNode(node, anchor), /*streamed=*/false);
  }

  void OnMapEnd() override { CloseCollection(); }

 private:
  struct Frame {
    uint32_t node = 0;
    std::size_t children_begin = 0;  // in pending_children_
    bool streamed = false;           // its items are handed over one by one
    // Large mappings: each key seen so far, with its 0-based line.
    std::unique_ptr<absl::flat_hash_map<std::string, int32_t>> keys;
  };

  // Array sizes to cut back to once an item has been handed over.
  struct Checkpoint {
    std::size_t nodes = 0;
    std::size_t children = 0;
    std::size_t text = 0;
    std::size_t anchors = 0;
  };

  // The item of a top-level list being built.
  struct OpenItem {
    bool open = false;
    bool in_root_list = false;
    YAML::Mark start;
    int64_t extent = 0;           // where its text ends, as far as seen
    std::size_t first_frame = 0;  // frames_ index of its own outermost collection
    Checkpoint checkpoint;
  };

  [[noreturn]] void Fail(absl::Status status) {
    error_ = std::move(status);
    throw StopParsing{};
  }

  [[noreturn]] void FailAt(int line0, int column0, std::string field, std::string message) {
    Fail(ErrorAt(file_name_, line0, column0, std::move(field), std::move(message)));
  }

  std::string UnexpectedContent(int pos) const {
    if (pos >= 0 && pos < static_cast<int64_t>(text_.size())) {
      const char c = text_[static_cast<std::size_t>(pos)];
      if (c > ' ' && c < 0x7f) {
        return absl::StrCat("invalid YAML: unexpected \"", absl::string_view(&c, 1), "\"");
      }
    }
    return "invalid YAML: unexpected content";
  }

  [[noreturn]] void FailTooLarge() {
    const auto [line0, column0] = SizeErrorPlace();
    FailAt(line0, column0, "", TooLargeMessage(max_document_bytes_));
  }

  void StartDocument(const YAML::Mark& mark) {
    in_document_ = true;
    document_start_ = mark;
    root_.reset();
    streamed_bytes_ = 0;
    tree_.nodes.clear();
    tree_.children.clear();
    tree_.text.clear();
    frames_.clear();
    pending_children_.clear();
    anchor_nodes_.clear();
    anchor_log_.clear();
    item_ = OpenItem();
  }

  void FinishDocument(int64_t end) {
    in_document_ = false;
    CheckDocumentBytes(end);
    if (!root_.has_value()) {
      // Cannot happen with yaml-cpp (an empty document is a null), but stay total.
      root_ = AddNode(NewNode(document_start_, YamlNode::Shape::kScalar, ValueKind::kNull),
                      YAML::NullAnchor);
    }
    absl::Status status = handler_.OnDocument(YamlValue(&tree_, *root_));
    if (!status.ok()) Fail(std::move(status));
  }

  // The document's own text (without the items already handed over) up to `end`.
  void CheckDocumentBytes(int64_t end) {
    if (end - document_start_.pos - streamed_bytes_ > max_document_bytes_) FailTooLarge();
  }

  // Every value event starts here: notes a new list item and checks the size limits with
  // `extent`, where the value's text ends at the least.
  void BeforeValue(const YAML::Mark& mark, int64_t extent) {
    if (buffer_ != nullptr) buffer_->Reached(mark);
    if (!frames_.empty() && frames_.back().streamed) {
      item_.open = true;
      item_.in_root_list = frames_.size() == 1;
      item_.start = mark;
      item_.extent = mark.pos;
      item_.first_frame = frames_.size();
      item_.checkpoint = Checkpoint{tree_.nodes.size(), tree_.children.size(), tree_.text.size(),
                                    anchor_log_.size()};
    }
    if (item_.open) {
      item_.extent = std::max(item_.extent, extent);
      if (item_.extent - item_.start.pos > max_document_bytes_) FailTooLarge();
    } else {
      CheckDocumentBytes(extent);
    }
  }

  YamlNode NewNode(const YAML::Mark& mark, YamlNode::Shape shape, ValueKind kind) {
    YamlNode node;
    node.shape = shape;
    node.kind = kind;
    node.line = mark.line;
    node.column = mark.column;
    return node;
  }

  ValueKind ScalarKind(const YAML::Mark& mark, std::string_view tag, std::string_view value) {
    if (tag == kPlainTag) return ResolvePlainScalar(value);
    if (tag == kNonPlainTag || tag == kStrTag) return ValueKind::kString;
    if (tag == kNullTag) return ValueKind::kNull;
    const ValueKind resolved = ResolvePlainScalar(value);
    if (tag == kBoolTag || tag == kIntTag || tag == kFloatTag) {
      const bool fits = tag == kBoolTag ? resolved == ValueKind::kBool
                        : tag == kIntTag
                            ? resolved == ValueKind::kInt
                            : resolved == ValueKind::kInt || resolved == ValueKind::kFloat;
      if (!fits) {
        FailAt(mark.line, mark.column, CurrentPath(/*value_attached=*/false),
               absl::StrCat("invalid YAML: \"", AsAbsl(value), "\" is not a valid !!",
                            AsAbsl(tag.substr(tag.rfind(':') + 1))));
      }
      return tag == kFloatTag ? ValueKind::kFloat : resolved;
    }
    return resolved;  // another tag (`!!timestamp`, `!custom`): read the text as written
  }

  // Appends `node` and attaches it to its parent (or makes it the root, or the open list
  // item).
  uint32_t AddNode(const YamlNode& node, YAML::anchor_t anchor) {
    const uint32_t index = static_cast<uint32_t>(tree_.nodes.size());
    tree_.nodes.push_back(node);
    if (anchor != YAML::NullAnchor) {
      if (anchor_nodes_.size() <= anchor) anchor_nodes_.resize(anchor + 1, kGone);
      anchor_nodes_[anchor] = index;
      anchor_log_.push_back(anchor);
    }
    if (frames_.empty()) {
      root_ = index;
    } else if (!frames_.back().streamed) {
      pending_children_.push_back(index);
    }
    return index;
  }

  void OpenCollection(uint32_t index, bool streamed) {
    Frame frame;
    frame.node = index;
    frame.children_begin = pending_children_.size();
    frame.streamed = streamed;
    frames_.push_back(std::move(frame));
  }

  void CloseCollection() {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    const std::size_t count = pending_children_.size() - frame.children_begin;
    uint64_t expanded = 1;
    for (std::size_t i = frame.children_begin; i < pending_children_.size(); ++i) {
      expanded += tree_.nodes[pending_children_[i]].expanded;
      expanded = std::min<uint64_t>(expanded, kMaxExpandedValues + 1);
    }
    YamlNode& node = tree_.nodes[frame.node];
    node.first_child = static_cast<uint32_t>(tree_.children.size());
    node.child_slots = static_cast<uint32_t>(count);
    node.expanded = static_cast<uint32_t>(expanded);
    node.complete = true;
    tree_.children.insert(
        tree_.children.end(),
        pending_children_.begin() + static_cast<std::ptrdiff_t>(frame.children_begin),
        pending_children_.end());
    pending_children_.resize(frame.children_begin);
    if (expanded > kMaxExpandedValues) {
      FailAt(node.line, node.column, CurrentPath(),
             absl::StrCat("document has more than ", kMaxExpandedValues,
                          " values once its aliases are expanded"));
    }
    CompleteValue(frame.node);
  }

  // A value is complete: hand over a finished list item, or check a new mapping key.
  void CompleteValue(uint32_t index) {
    if (frames_.empty()) return;
    Frame& parent = frames_.back();
    if (parent.streamed) {
      HandOverItem(index);
      return;
    }
    const std::size_t count = pending_children_.size() - parent.children_begin;
    if (tree_.nodes[parent.node].shape == YamlNode::Shape::kMapping && count % 2 == 1) {
      CheckDuplicateKey(parent, index);
    }
  }

  void HandOverItem(uint32_t index) {
    item_.open = false;
    streamed_bytes_ += item_.extent - item_.start.pos;
    absl::Status status = handler_.OnListItem(YamlValue(&tree_, index), item_.in_root_list);
    if (!status.ok()) Fail(std::move(status));
    // Drop the item; anchors defined inside it die with it.
    const Checkpoint& cut = item_.checkpoint;
    tree_.nodes.resize(cut.nodes);
    tree_.children.resize(cut.children);
    tree_.text.resize(cut.text);
    for (std::size_t i = cut.anchors; i < anchor_log_.size(); ++i) {
      anchor_nodes_[anchor_log_[i]] = kGone;
    }
    anchor_log_.resize(cut.anchors);
  }

  // The text of a scalar key (through an alias), or nullopt for a null or collection key.
  std::optional<std::string_view> KeyText(uint32_t index) const {
    const YamlNode* node = &tree_.nodes[index];
    if (node->shape == YamlNode::Shape::kAlias) node = &tree_.nodes[node->alias_target];
    if (node->shape != YamlNode::Shape::kScalar || node->kind == ValueKind::kNull) {
      return std::nullopt;
    }
    return std::string_view(tree_.text).substr(node->text_offset, node->text_size);
  }

  void CheckDuplicateKey(Frame& frame, uint32_t key_index) {
    const std::optional<std::string_view> key = KeyText(key_index);
    if (!key.has_value()) return;
    const std::size_t last = pending_children_.size() - 1;  // the new key's slot
    const std::size_t previous_keys = (last - frame.children_begin) / 2;
    std::optional<int32_t> first_line;
    if (frame.keys == nullptr && previous_keys < kLinearKeyScanLimit) {
      for (std::size_t i = frame.children_begin; i < last; i += 2) {
        if (KeyText(pending_children_[i]) == key) {
          first_line = tree_.nodes[pending_children_[i]].line;
          break;
        }
      }
    } else {
      if (frame.keys == nullptr) {
        frame.keys = std::make_unique<absl::flat_hash_map<std::string, int32_t>>();
        for (std::size_t i = frame.children_begin; i < last; i += 2) {
          if (std::optional<std::string_view> text = KeyText(pending_children_[i])) {
            frame.keys->try_emplace(std::string(*text), tree_.nodes[pending_children_[i]].line);
          }
        }
      }
      const auto [it, inserted] =
          frame.keys->try_emplace(std::string(*key), tree_.nodes[key_index].line);
      if (!inserted) first_line = it->second;
    }
    if (first_line.has_value()) {
      const YamlNode& node = tree_.nodes[key_index];
      FailAt(node.line, node.column, CurrentPath(),
             absl::StrCat("duplicate key \"", AsAbsl(*key), "\" (first at line ", *first_line + 1,
                          ")"));
    }
  }

  // Whether a sequence starting now (not attached yet) holds documents: the document's
  // root, or the value of `items` in the root mapping (a Kubernetes List).
  bool AtDocumentListPosition() const {
    if (frames_.empty()) return true;
    if (frames_.size() != 1) return false;
    const Frame& root = frames_.front();
    if (root.streamed || tree_.nodes[root.node].shape != YamlNode::Shape::kMapping) return false;
    const std::size_t count = pending_children_.size() - root.children_begin;
    return count % 2 == 1 && KeyText(pending_children_.back()) == "items";
  }

  // The field path, relative to its document (or to the list item it is in), of the value
  // last attached, or with `value_attached` false of the value about to be attached:
  // `spec.rules[0].name`.
  std::string CurrentPath(bool value_attached = true) const {
    std::string path;
    const std::size_t first = item_.open ? item_.first_frame : 0;
    for (std::size_t f = first; f < frames_.size(); ++f) {
      const Frame& frame = frames_[f];
      if (frame.streamed) continue;
      const bool innermost = f + 1 == frames_.size();
      const std::size_t end = innermost ? pending_children_.size() : frames_[f + 1].children_begin;
      const std::size_t count = end - frame.children_begin + (innermost && !value_attached ? 1 : 0);
      if (count == 0) break;
      if (tree_.nodes[frame.node].shape == YamlNode::Shape::kSequence) {
        absl::StrAppend(&path, "[", count - 1, "]");
        continue;
      }
      // In a mapping the value sits after its key; a key in progress has no name yet.
      const std::size_t key_slot = frame.children_begin + (count - 1) / 2 * 2;
      if (key_slot >= end) break;
      const std::optional<std::string_view> text = KeyText(pending_children_[key_slot]);
      if (!path.empty()) path += '.';
      path += text.has_value() ? std::string(*text) : "?";
    }
    return path;
  }

  const std::string_view file_name_;
  const std::string_view text_;
  const int64_t text_size_;
  const int64_t max_document_bytes_;
  YamlDocumentHandler& handler_;
  GuardedTextBuffer* const buffer_;

  int64_t documents_started_ = 0;
  bool in_document_ = false;
  YAML::Mark document_start_;
  std::optional<uint32_t> root_;
  int64_t streamed_bytes_ = 0;  // text of the list items already handed over
  YamlTree tree_;
  std::vector<Frame> frames_;
  std::vector<uint32_t> pending_children_;
  std::vector<uint32_t> anchor_nodes_;      // by yaml-cpp's anchor id; kGone once dropped
  std::vector<YAML::anchor_t> anchor_log_;  // ids in the order they were defined
  OpenItem item_;
  absl::Status error_;
};

ParseOutcome SyntaxError(std::string_view file_name, const YAML::Mark& mark,
                         std::string_view message) {
  return ParseOutcome{ErrorAt(file_name, mark.line, mark.column, "",
                              absl::StrCat("invalid YAML: ", AsAbsl(message))),
                      mark.pos};
}

}  // namespace

YamlValue::YamlValue(const YamlTree* tree, uint32_t index) : tree_(tree), index_(index) {
  const YamlNode& own = tree->nodes[index];
  line_ = own.line;
  column_ = own.column;
  if (own.shape == YamlNode::Shape::kAlias) index_ = own.alias_target;
}

std::string_view YamlValue::text() const {
  const YamlNode& own = node();
  if (own.shape != YamlNode::Shape::kScalar) return {};
  return std::string_view(tree_->text).substr(own.text_offset, own.text_size);
}

std::size_t YamlValue::size() const {
  const YamlNode& own = node();
  if (own.shape == YamlNode::Shape::kSequence) return own.child_slots;
  if (own.shape == YamlNode::Shape::kMapping) return own.child_slots / 2;
  return 0;
}

YamlValue YamlValue::item(std::size_t i) const {
  return YamlValue(tree_, tree_->children[node().first_child + i]);
}

YamlValue YamlValue::entry_key(std::size_t i) const {
  return YamlValue(tree_, tree_->children[node().first_child + 2 * i]);
}

YamlValue YamlValue::entry_value(std::size_t i) const {
  return YamlValue(tree_, tree_->children[node().first_child + 2 * i + 1]);
}

std::optional<YamlValue> YamlValue::Find(std::string_view key) const {
  if (kind() != ValueKind::kMapping) return std::nullopt;
  for (std::size_t i = 0; i < size(); ++i) {
    const YamlValue entry = entry_key(i);
    if (entry.node().shape == YamlNode::Shape::kScalar && !entry.is_null() && entry.text() == key) {
      return entry_value(i);
    }
  }
  return FindInMerged(key, 0);
}

std::optional<YamlValue> YamlValue::FindInMerged(std::string_view key, int depth) const {
  // Merge keys nest only as deep as the document; the bound is a safety net.
  constexpr int kMaxMergeDepth = 64;
  if (depth > kMaxMergeDepth) return std::nullopt;
  for (std::size_t i = 0; i < size(); ++i) {
    const YamlValue entry = entry_key(i);
    if (!entry.node().plain || entry.text() != "<<") continue;
    const YamlValue merged = entry_value(i);
    std::vector<YamlValue> sources;
    if (merged.kind() == ValueKind::kMapping) sources.push_back(merged);
    if (merged.kind() == ValueKind::kList) {
      for (std::size_t j = 0; j < merged.size(); ++j) sources.push_back(merged.item(j));
    }
    for (const YamlValue& source : sources) {
      if (source.kind() != ValueKind::kMapping) continue;
      for (std::size_t j = 0; j < source.size(); ++j) {
        const YamlValue source_key = source.entry_key(j);
        if (source_key.node().shape == YamlNode::Shape::kScalar && !source_key.is_null() &&
            source_key.text() == key) {
          return source.entry_value(j);
        }
      }
      if (std::optional<YamlValue> found = source.FindInMerged(key, depth + 1)) return found;
    }
  }
  return std::nullopt;
}

ParseOutcome ParseYamlStream(std::string_view text, std::string_view file_name,
                             std::size_t max_document_bytes, YamlDocumentHandler& handler) {
  // Reading ahead this far past the last value is only needed by a document over the limit.
  constexpr int64_t kReadAheadSlack = 64 * 1024;
  GuardedTextBuffer buffer(text, static_cast<int64_t>(max_document_bytes) + kReadAheadSlack);
  std::istream input(&buffer);
  TreeBuilder builder(file_name, text, max_document_bytes, handler, &buffer);
  ParseOutcome outcome;
  // yaml-cpp reports problems by throwing; none of it may leave the loader.
  try {
    YAML::Parser parser(input);
    while (parser.HandleNextDocument(builder)) {
    }
    builder.FinishStream();
  } catch (const StopParsing&) {
    outcome.status = builder.TakeError();
  } catch (const YAML::DeepRecursion& e) {
    outcome = SyntaxError(file_name, e.mark, "values are nested too deeply");
  } catch (const YAML::Exception& e) {
    outcome = SyntaxError(file_name, e.mark, e.msg);
  } catch (const std::exception& e) {
    outcome = SyntaxError(file_name, YAML::Mark::null_mark(), e.what());
  } catch (...) {
    outcome = SyntaxError(file_name, YAML::Mark::null_mark(), "unreadable input");
  }
  // Whatever happened after the text was cut short does not count.
  if (buffer.stopped()) {
    const auto [line0, column0] = builder.SizeErrorPlace();
    return ParseOutcome{ErrorAt(file_name, line0, column0, "",
                                TooLargeMessage(static_cast<int64_t>(max_document_bytes))),
                        buffer.bytes_served()};
  }
  return outcome;
}

ParseOutcome ParseJsonText(std::string_view text, std::string_view file_name,
                           std::size_t max_document_bytes, YamlDocumentHandler& handler) {
  TreeBuilder builder(file_name, text, max_document_bytes, handler, /*buffer=*/nullptr);
  try {
    if (std::optional<JsonSyntaxError> error = ReadJsonEvents(text, builder)) {
      return ParseOutcome{ErrorAt(file_name, error->line, error->column, "",
                                  absl::StrCat("invalid JSON: ", error->message)),
                          error->pos};
    }
    builder.FinishStream();
  } catch (const StopParsing&) {
    return ParseOutcome{builder.TakeError(), std::nullopt};
  } catch (const std::exception& e) {
    return ParseOutcome{ErrorAt(file_name, -1, -1, "", absl::StrCat("cannot load: ", e.what())),
                        std::nullopt};
  }
  return ParseOutcome{};
}

}  // namespace llmroute::load_internal
