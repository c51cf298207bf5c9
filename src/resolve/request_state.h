// What resolve reads from one request, computed once and on demand: header values by slot
// (repeated headers joined by ","), query parameters by slot (percent-decoded, first value
// wins), the path without its query string. Backed by per-thread scratch vectors that only
// grow, so a warmed-up thread allocates nothing.
#ifndef LLMROUTE_RESOLVE_REQUEST_STATE_H_
#define LLMROUTE_RESOLVE_REQUEST_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compile/compiled_table.h"
#include "llmroute/request.h"

namespace llmroute::internal {

// Per-thread buffers reused by every request of the thread. Entries are valid for the
// current request only when their stamp equals `stamp`, which spares clearing them.
//
// Growth is all-or-nothing: the per-slot state lives in one vector (one allocation), and
// every vector's size is checked on its own before use, so an allocation that fails
// (std::bad_alloc out of resolve) leaves buffers that are merely too small, and the next
// request grows them again.
struct ResolveScratch {
  // What one request says about one header slot.
  struct Slot {
    uint32_t stamp = 0;        // slot seen in this request
    uint32_t first = 0;        // index of its first header
    uint32_t last = 0;         // index of its last header
    uint32_t count = 0;        // how many headers carry it
    uint32_t value_stamp = 0;  // `value` computed for this request
    std::size_t total_size = 0;  // the sizes of its values, summed
    std::string_view value;
    std::string joined;        // storage for a repeated header's joined value
  };
  struct QuerySlot {
    uint32_t stamp = 0;  // parameter seen in this request
    std::string_view value;
  };

  uint32_t stamp = 0;
  std::vector<Slot> slots;            // by header slot
  // For a header the table reads: the index of the next header with the same slot (valid
  // up to the slot's last header). Joining a repeated header visits only its own headers.
  std::vector<uint32_t> next_same_slot;
  std::string lowered_name;
  std::string received_model;  // ReceivedModelHeader's joined value
  std::vector<QuerySlot> query_slots;  // by query slot
  std::string decoded_query;
  // Headers visited while joining repeated headers, over the thread's life: lets tests
  // check that joining costs one visit per occurrence, whatever the rest of the request.
  uint64_t joined_header_visits = 0;

  static ResolveScratch& ForThisThread();
};

class RequestState {
 public:
  // `replace_model` (the request has a body): the model headers the request sent are
  // ignored, and `model`, the body's model, is the model header's value; without one the
  // request has no model header. Without `replace_model`, `model` is not read.
  RequestState(const CompiledTable& table, const Request& request, ResolveScratch& scratch,
               bool replace_model, std::optional<std::string_view> model);

  std::optional<std::string_view> Header(uint32_t slot);
  // The model header as the client sent it (repeats joined by ","), even when the body's
  // model replaced it for matching: a session affinity key on the model header is the
  // header as received. A scan of every header; only that rare configuration asks. A
  // joined value lives in this thread's scratch until its next resolve.
  std::optional<std::string_view> ReceivedModelHeader();
  std::optional<std::string_view> Query(uint32_t slot);
  // The path before '?', split off on first use (a table of catch-all prefixes never asks).
  std::string_view path() {
    if (!path_split_) SplitPath();
    return path_;
  }
  std::string_view method() const { return request_.method; }

 private:
  // The slot of a request header name, or kNone when the table never reads it.
  uint32_t SlotOfHeaderName(std::string_view name) const;
  uint32_t HashedSlotOfHeaderName(std::string_view name) const;  // more names of its length
  // The slot of a query parameter name as sent (`escaped`: it has a '%', and is compared
  // decoded), or kNone when the table never reads it.
  uint32_t SlotOfQueryName(std::string_view raw_name, bool escaped) const;
  void ParseQuery();
  // Records the decoded value of the parameter of query slot `slot` whose value starts at
  // `value_start` in the query (npos: it has no '='), unless the slot has one already.
  void TakeQueryValue(uint32_t slot, std::size_t value_start);
  void SplitPath();

  // Up to this many names of one length are compared directly; more are hashed.
  static constexpr uint32_t kDirectCompareBucket = 6;

  const CompiledTable& table_;
  const Request& request_;
  ResolveScratch& scratch_;
  std::string_view path_;
  std::string_view query_;
  bool path_split_ = false;
  bool query_parsed_ = false;
  uint32_t unseen_query_slots_ = 0;  // query slots without a value yet, while parsing
};

}  // namespace llmroute::internal

#endif  // LLMROUTE_RESOLVE_REQUEST_STATE_H_
