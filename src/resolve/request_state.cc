#include "resolve/request_state.h"

#include <algorithm>

#include "text/http_text.h"

namespace llmroute::internal {
namespace {

template <typename T>
void GrowTo(std::vector<T>& v, std::size_t size) {
  if (v.size() < size) v.resize(size);
}

}  // namespace

ResolveScratch& ResolveScratch::ForThisThread() {
  thread_local ResolveScratch scratch;
  return scratch;
}

RequestState::RequestState(const CompiledTable& table, const Request& request,
                           ResolveScratch& scratch, bool replace_model,
                           std::optional<std::string_view> model)
    : table_(table), request_(request), scratch_(scratch) {
  if (++scratch_.stamp == 0) {  // wrapped: forget every old stamp once
    std::fill(scratch_.slot_stamp.begin(), scratch_.slot_stamp.end(), 0);
    std::fill(scratch_.value_stamp.begin(), scratch_.value_stamp.end(), 0);
    std::fill(scratch_.query_stamp.begin(), scratch_.query_stamp.end(), 0);
    scratch_.stamp = 1;
  }
  const uint32_t stamp = scratch_.stamp;
  const std::size_t slots = table_.header_slots.size();
  if (scratch_.slot_stamp.size() < slots) {
    GrowTo(scratch_.slot_stamp, slots);
    GrowTo(scratch_.slot_first, slots);
    GrowTo(scratch_.slot_count, slots);
    GrowTo(scratch_.value_stamp, slots);
    GrowTo(scratch_.slot_value, slots);
    GrowTo(scratch_.joined, slots);
  }
  if (scratch_.lowered_name.size() < table_.longest_header_name) {
    scratch_.lowered_name.resize(table_.longest_header_name);
  }

  // One pass maps each header the table reads to its slot; the rest are skipped at once,
  // most by their length alone.
  const uint64_t short_lengths = table_.short_name_lengths;
  for (uint32_t i = 0; i < request.headers.size(); ++i) {
    const std::string_view name = request.headers[i].name;
    if (name.size() < 64 && (short_lengths >> name.size() & 1) == 0) continue;
    const uint32_t slot = SlotOfHeaderName(name);
    if (slot == kNone) continue;
    if (replace_model && slot == table_.model_slot) continue;  // the body's model wins
    if (scratch_.slot_stamp[slot] != stamp) {
      scratch_.slot_stamp[slot] = stamp;
      scratch_.slot_first[slot] = i;
      scratch_.slot_count[slot] = 1;
    } else {
      ++scratch_.slot_count[slot];
    }
  }
  if (replace_model && model.has_value()) {
    const uint32_t slot = table_.model_slot;
    scratch_.slot_stamp[slot] = stamp;
    scratch_.slot_count[slot] = 1;
    scratch_.value_stamp[slot] = stamp;
    scratch_.slot_value[slot] = *model;
  }
}

void RequestState::SplitPath() {
  path_split_ = true;
  const std::size_t question = request_.path.find('?');
  path_ = request_.path.substr(0, question);
  if (question != std::string_view::npos) query_ = request_.path.substr(question + 1);
}

uint32_t RequestState::SlotOfHeaderName(std::string_view name) const {
  if (name.empty() || name.size() > table_.longest_header_name) return kNone;
  const Range bucket = table_.slot_names_by_length[name.size()];
  if (bucket.size() <= kDirectCompareBucket) {
    for (uint32_t b = bucket.begin; b < bucket.end; ++b) {
      const std::string_view lower = table_.slot_names[b].lower_name;
      if (EqualsLowered(name, lower)) return table_.slot_names[b].slot;
    }
    return kNone;
  }
  char* lowered = scratch_.lowered_name.data();
  for (std::size_t k = 0; k < name.size(); ++k) lowered[k] = AsciiLower(name[k]);
  auto it = table_.header_slots.find(absl::string_view(lowered, name.size()));
  return it == table_.header_slots.end() ? kNone : it->second;
}

std::optional<std::string_view> RequestState::Header(uint32_t slot) {
  const uint32_t stamp = scratch_.stamp;
  if (scratch_.slot_stamp[slot] != stamp) return std::nullopt;
  if (scratch_.value_stamp[slot] == stamp) return scratch_.slot_value[slot];
  const uint32_t first = scratch_.slot_first[slot];
  std::string_view value = request_.headers[first].value;
  if (scratch_.slot_count[slot] > 1) {
    // A repeated header is matched as its values joined by "," (RFC 9110, section 5.3).
    std::string& joined = scratch_.joined[slot];
    joined.assign(value.data(), value.size());
    for (uint32_t i = first + 1; i < request_.headers.size(); ++i) {
      // Rare (a repeated header the table reads): find the others by name again.
      if (SlotOfHeaderName(request_.headers[i].name) != slot) continue;
      joined += ',';
      joined.append(request_.headers[i].value.data(), request_.headers[i].value.size());
    }
    value = joined;
  }
  scratch_.value_stamp[slot] = stamp;
  scratch_.slot_value[slot] = value;
  return value;
}

std::optional<std::string_view> RequestState::Query(uint32_t slot) {
  if (!query_parsed_) ParseQuery();
  if (scratch_.query_stamp[slot] != scratch_.stamp) return std::nullopt;
  return scratch_.query_value[slot];
}

void RequestState::ParseQuery() {
  query_parsed_ = true;
  if (!path_split_) SplitPath();
  const std::size_t slots = table_.query_slots.size();
  GrowTo(scratch_.query_stamp, slots);
  GrowTo(scratch_.query_value, slots);
  std::string& decoded = scratch_.decoded_query;
  decoded.clear();
  // Decoding never lengthens text: reserving the query's size keeps every view stable.
  if (decoded.capacity() < query_.size()) decoded.reserve(query_.size());
  std::string_view rest = query_;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const std::size_t equals = param.find('=');
    const std::string_view raw_name = param.substr(0, equals);
    const std::string_view raw_value =
        equals == std::string_view::npos ? std::string_view() : param.substr(equals + 1);
    const std::size_t name_start = decoded.size();
    AppendPercentDecoded(raw_name, decoded);
    auto it = table_.query_slots.find(
        absl::string_view(decoded.data() + name_start, decoded.size() - name_start));
    decoded.resize(name_start);
    if (it == table_.query_slots.end()) continue;
    const uint32_t slot = it->second;
    if (scratch_.query_stamp[slot] == scratch_.stamp) continue;  // the first value wins
    AppendPercentDecoded(raw_value, decoded);
    scratch_.query_stamp[slot] = scratch_.stamp;
    scratch_.query_value[slot] = std::string_view(decoded.data() + name_start, decoded.size() - name_start);
  }
}

}  // namespace llmroute::internal
