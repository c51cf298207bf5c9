#include "resolve/request_state.h"

#include <bit>
#include <cstring>

#include "text/http_text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace llmroute::internal {
namespace {

template <typename T>
void GrowTo(std::vector<T>& v, std::size_t size) {
  if (v.size() < size) v.resize(size);
}

// Copies `from` to `to`, inline for the short values most headers have (two overlapping
// moves of 8 or 4 bytes) instead of a call per value.
inline void CopySmall(char* to, std::string_view from) {
  const std::size_t size = from.size();
  if (size >= 8 && size <= 16) {
    uint64_t head, tail;
    std::memcpy(&head, from.data(), 8);
    std::memcpy(&tail, from.data() + size - 8, 8);
    std::memcpy(to, &head, 8);
    std::memcpy(to + size - 8, &tail, 8);
  } else if (size >= 4 && size < 8) {
    uint32_t head, tail;
    std::memcpy(&head, from.data(), 4);
    std::memcpy(&tail, from.data() + size - 4, 4);
    std::memcpy(to, &head, 4);
    std::memcpy(to + size - 4, &tail, 4);
  } else if (size > 16) {
    std::memcpy(to, from.data(), size);
  } else {
    for (std::size_t i = 0; i < size; ++i) to[i] = from[i];
  }
}

// Where the query string's special bytes are in 64 bytes of it: bit i of each mask is
// set when byte i is that byte.
struct QueryMasks {
  uint64_t ampersands = 0;
  uint64_t equals = 0;
  uint64_t percents = 0;
};

QueryMasks MasksOf64(const char* p) {
  QueryMasks masks;
#if defined(__SSE2__)
  const __m128i ampersand = _mm_set1_epi8('&');
  const __m128i equals = _mm_set1_epi8('=');
  const __m128i percent = _mm_set1_epi8('%');
  for (int k = 0; k < 4; ++k) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const auto bits = [&](__m128i byte) {
      return uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, byte)))}
             << (16 * k);
    };
    masks.ampersands |= bits(ampersand);
    masks.equals |= bits(equals);
    masks.percents |= bits(percent);
  }
#else
  for (int i = 0; i < 64; ++i) {
    masks.ampersands |= uint64_t{p[i] == '&'} << i;
    masks.equals |= uint64_t{p[i] == '='} << i;
    masks.percents |= uint64_t{p[i] == '%'} << i;
  }
#endif
  return masks;
}

}  // namespace

ResolveScratch& ResolveScratch::ForThisThread() {
  thread_local ResolveScratch scratch;
  return scratch;
}

uint32_t RequestState::SlotOfHeaderName(std::string_view name) const {
  const NamesByLength& names = table_.header_names;
  if (name.empty() || name.size() > names.longest) return kNone;
  const Range bucket = names.by_length[name.size()];
  if (bucket.size() > kDirectCompareBucket) return HashedSlotOfHeaderName(name);
  for (uint32_t b = bucket.begin; b < bucket.end; ++b) {
    if (names.EqualsIgnoringCase(name, names.names[b])) return names.names[b].slot;
  }
  return kNone;
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
  if (scratch_.lowered_name.size() < table_.header_names.longest) {
    scratch_.lowered_name.resize(table_.header_names.longest);
  }

  // One pass maps each header the table reads to its slot; the rest are skipped at once,
  // most by their length alone.
  const uint64_t short_lengths = table_.header_names.short_lengths;
  ResolveScratch::Slot* const slots = scratch_.slots.data();
  const llmroute::Header* const headers = request.headers.data();
  const uint32_t header_count = static_cast<uint32_t>(request.headers.size());
  for (uint32_t i = 0; i < header_count; ++i) {
    const std::string_view name = headers[i].name;
    if (name.size() < 64 && (short_lengths >> name.size() & 1) == 0) continue;
    const uint32_t slot = SlotOfHeaderName(name);
    if (slot == kNone) continue;
    if (replace_model && slot == table_.model_slot) continue;  // the body's model wins
    ResolveScratch::Slot& entry = slots[slot];
    if (entry.stamp != stamp) {
      entry.stamp = stamp;
      entry.first = entry.last = i;
      entry.count = 1;
      entry.total_size = headers[i].value.size();
    } else {
      scratch_.next_same_slot[entry.last] = i;
      entry.last = i;
      ++entry.count;
      entry.total_size += headers[i].value.size();
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

uint32_t RequestState::HashedSlotOfHeaderName(std::string_view name) const {
  char* lowered = scratch_.lowered_name.data();
  for (std::size_t k = 0; k < name.size(); ++k) lowered[k] = AsciiLower(name[k]);
  auto it = table_.header_slots.find(absl::string_view(lowered, name.size()));
  return it == table_.header_slots.end() ? kNone : it->second;
}

std::optional<std::string_view> RequestState::ReceivedModelHeader() {
  std::optional<std::string_view> value;
  std::string& joined = scratch_.received_model;
  bool value_is_joined = false;
  for (const llmroute::Header& header : request_.headers) {
    if (SlotOfHeaderName(header.name) != table_.model_slot) continue;
    if (!value.has_value()) {
      value = header.value;
      continue;
    }
    if (!value_is_joined) joined.assign(value->data(), value->size());
    value_is_joined = true;
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
    // A repeated header is matched as its values joined by "," (RFC 9110, section 5.3),
    // sized once and copied once.
    std::string& joined = entry.joined;
    joined.resize(entry.total_size + entry.count - 1);
    char* out = joined.data();
    CopySmall(out, value);
    out += value.size();
    for (uint32_t i = entry.first, n = 1; n < entry.count; ++n) {
      i = scratch_.next_same_slot[i];
      ++scratch_.joined_header_visits;
      const std::string_view next = request_.headers[i].value;
      *out++ = ',';
      CopySmall(out, next);
      out += next.size();
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

// Inline in the query scan below, as the header names above.
inline uint32_t RequestState::SlotOfQueryName(std::string_view raw_name, bool escaped) const {
  const NamesByLength& names = table_.query_names;
  const auto slot_of = [&](std::string_view name) {
    if (name.size() > names.longest) return kNone;
    const Range bucket = names.by_length[name.size()];
    if (bucket.size() > kDirectCompareBucket) {
      auto it = table_.query_slots.find(absl::string_view(name.data(), name.size()));
      return it == table_.query_slots.end() ? kNone : it->second;
    }
    for (uint32_t b = bucket.begin; b < bucket.end; ++b) {
      if (names.names[b].name == name) return names.names[b].slot;
    }
    return kNone;
  };
  if (!escaped) return names.HasLength(raw_name.size()) ? slot_of(raw_name) : kNone;
  std::string& decoded = scratch_.decoded_query;
  const std::size_t name_start = decoded.size();
  AppendPercentDecoded(raw_name, decoded);
  const uint32_t slot = slot_of(std::string_view(decoded).substr(name_start));
  decoded.resize(name_start);
  return slot;
}

void RequestState::TakeQueryValue(uint32_t slot, std::size_t value_start) {
  ResolveScratch::QuerySlot& entry = scratch_.query_slots[slot];
  if (entry.stamp == scratch_.stamp) return;  // the first value wins
  entry.stamp = scratch_.stamp;
  --unseen_query_slots_;
  std::string_view raw_value;
  if (value_start != std::string_view::npos) {
    raw_value = query_.substr(value_start);
    raw_value = raw_value.substr(0, raw_value.find('&'));
  }
  if (raw_value.find('%') == std::string_view::npos) {
    entry.value = raw_value;  // its own decoded form
    return;
  }
  std::string& decoded = scratch_.decoded_query;
  const std::size_t value_start_in_decoded = decoded.size();
  AppendPercentDecoded(raw_value, decoded);
  entry.value = std::string_view(decoded).substr(value_start_in_decoded);
}

void RequestState::ParseQuery() {
  query_parsed_ = true;
  if (!path_split_) SplitPath();
  GrowTo(scratch_.query_slots, table_.query_slots.size());
  std::string& decoded = scratch_.decoded_query;
  decoded.clear();
  // Decoding never lengthens text: reserving the query's size keeps every view stable.
  if (decoded.capacity() < query_.size()) decoded.reserve(query_.size());
  unseen_query_slots_ = static_cast<uint32_t>(table_.query_slots.size());
  // The query is read 64 bytes at a time, as masks of its '&', '=' and '%' bytes. A name
  // runs from a parameter's start to the first '=' or '&' after it: adding a 1 at each
  // name's first byte to the mask of the other bytes carries it through the name to that
  // '=' or '&', so the sum's '='/'&' bits are the names' ends and the bits it cleared are
  // the names' bytes, 64 at once. A name without '%' is its own decoded form: one whose
  // length no configured name has is skipped without decoding or comparing. The scan stops
  // once every slot has its first value.
  const std::string_view query = query_;
  uint64_t carry = 1;              // a name runs into the next block (the first starts at 0)
  std::size_t name_start = 0;      // 1 + the position of the last '&' so far
  std::size_t last_percent = 0;    // 1 + the position of the last '%' so far; 0: none
  bool running_escaped = false;    // the name running into the next block has a '%'
  for (std::size_t block = 0; block < query.size(); block += 64) {
    QueryMasks masks;
    if (block + 64 <= query.size()) {
      masks = MasksOf64(query.data() + block);
    } else {
      char tail[64] = {};  // zero bytes past the end are none of '&', '=', '%'
      std::memcpy(tail, query.data() + block, query.size() - block);
      masks = MasksOf64(tail);
    }
    const uint64_t delimiters = masks.ampersands | masks.equals;
    const uint64_t others = ~delimiters;
    const uint64_t sum = others + ((masks.ampersands << 1) | carry);
    const bool carry_out = sum < others;
    const bool escapes = (others & ~sum & masks.percents) != 0 || running_escaped;
    for (uint64_t ends = sum & delimiters; ends != 0; ends &= ends - 1) {
      const int bit = std::countr_zero(ends);
      const std::size_t end = block + bit;
      const uint64_t below = (uint64_t{1} << bit) - 1;
      const uint64_t ampersands_before = masks.ampersands & below;
      const std::size_t start =
          ampersands_before != 0 ? block + 64 - std::countl_zero(ampersands_before) : name_start;
      bool escaped = false;
      if (escapes) {
        const uint64_t percents_before = masks.percents & below;
        escaped = (percents_before != 0 ? block + 64 - std::countl_zero(percents_before)
                                        : last_percent) > start;
      }
      const uint32_t slot = SlotOfQueryName(query.substr(start, end - start), escaped);
      if (slot != kNone) {
        const bool has_value = (masks.equals >> bit & 1) != 0;
        TakeQueryValue(slot, has_value ? end + 1 : std::string_view::npos);
        if (unseen_query_slots_ == 0) return;
      }
    }
    if (masks.ampersands != 0) name_start = block + 64 - std::countl_zero(masks.ampersands);
    if (masks.percents != 0) last_percent = block + 64 - std::countl_zero(masks.percents);
    carry = (carry_out || (masks.ampersands >> 63) != 0) ? 1 : 0;
    running_escaped = carry_out && last_percent > name_start;
  }
  if (carry != 0 && name_start < query.size()) {  // the last parameter: a name alone
    const uint32_t slot = SlotOfQueryName(query.substr(name_start), last_percent > name_start);
    if (slot != kNone) TakeQueryValue(slot, std::string_view::npos);
  }
}

}  // namespace llmroute::internal
