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
    for (ResolveScratch::Slot& slot : scratch_.slots) slot.stamp = slot.value_stamp = 0;
    for (ResolveScratch::QuerySlot& slot : scratch_.query_slots) slot.stamp = 0;
    scratch_.stamp = 1;
  }
  const uint32_t stamp = scratch_.stamp;
  GrowTo(scratch_.slots, table_.header_slots.size());
  GrowTo(scratch_.next_same_slot, request.headers.size());
  if (scratch_.lowered_name.size() < table_.longest_header_name) {
    scratch_.lowered_name.resize(table_.longest_header_name);
  }

  // One pass maps each header the table reads to its slot; the rest are skipped at once,
  // most by their length alone.
  const uint64_t short_lengths = table_.short_name_lengths;
  ResolveScratch::Slot* const slots = scratch_.slots.data();
  for (uint32_t i = 0; i < request.headers.size(); ++i) {
    const std::string_view name = request.headers[i].name;
    if (name.size() < 64 && (short_lengths >> name.size() & 1) == 0) continue;
    const uint32_t slot = SlotOfHeaderName(name);
    if (slot == kNone) continue;
    if (replace_model && slot == table_.model_slot) continue;  // the body's model wins
    ResolveScratch::Slot& entry = slots[slot];
    if (entry.stamp != stamp) {
      entry.stamp = stamp;
      entry.first = entry.last = i;
      entry.count = 1;
    } else {
      scratch_.next_same_slot[entry.last] = i;
      entry.last = i;
      ++entry.count;
    }
  }
  if (replace_model && model.has_value()) {
    ResolveScratch::Slot& entry = slots[table_.model_slot];
    entry.stamp = stamp;
    entry.count = 1;
    entry.value_stamp = stamp;
    entry.value = *model;
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

std::optional<std::string_view> RequestState::ReceivedModelHeader() {
  std::optional<std::string_view> value;
  std::string& joined = scratch_.received_model;
  for (const llmroute::Header& header : request_.headers) {
    if (!EqualsLowered(header.name, table_.model_header)) continue;
    if (!value.has_value()) {
      value = header.value;
      continue;
    }
    if (value->data() != joined.data()) joined.assign(value->data(), value->size());
    joined += ',';
    joined.append(header.value.data(), header.value.size());
    value = joined;
  }
  return value;
}

std::optional<std::string_view> RequestState::Header(uint32_t slot) {
  const uint32_t stamp = scratch_.stamp;
  ResolveScratch::Slot& entry = scratch_.slots[slot];
  if (entry.stamp != stamp) return std::nullopt;
  if (entry.value_stamp == stamp) return entry.value;
  std::string_view value = request_.headers[entry.first].value;
  if (entry.count > 1) {
    // A repeated header is matched as its values joined by "," (RFC 9110, section 5.3).
    std::string& joined = entry.joined;
    joined.assign(value.data(), value.size());
    for (uint32_t i = entry.first, n = 1; n < entry.count; ++n) {
      i = scratch_.next_same_slot[i];
      ++scratch_.joined_header_visits;
      joined += ',';
      joined.append(request_.headers[i].value.data(), request_.headers[i].value.size());
    }
    value = joined;
  }
  entry.value_stamp = stamp;
  entry.value = value;
  return value;
}

std::optional<std::string_view> RequestState::Query(uint32_t slot) {
  if (!query_parsed_) ParseQuery();
  const ResolveScratch::QuerySlot& entry = scratch_.query_slots[slot];
  if (entry.stamp != scratch_.stamp) return std::nullopt;
  return entry.value;
}

void RequestState::ParseQuery() {
  query_parsed_ = true;
  if (!path_split_) SplitPath();
  const std::size_t slots = table_.query_slots.size();
  GrowTo(scratch_.query_slots, slots);
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
    ResolveScratch::QuerySlot& entry = scratch_.query_slots[slot];
    if (entry.stamp == scratch_.stamp) continue;  // the first value wins
    AppendPercentDecoded(raw_value, decoded);
    entry.stamp = scratch_.stamp;
    entry.value = std::string_view(decoded.data() + name_start, decoded.size() - name_start);
  }
}

}  // namespace llmroute::internal
