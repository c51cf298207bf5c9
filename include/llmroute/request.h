// The request as `resolve` sees it: views of what the proxy already holds.
//
// Nothing here owns memory. Every view must stay valid for the duration of the call that
// receives the Request; a Decision may point into the request's header values or body (its
// `model`, see llmroute/decision.h for every case), so keep those alive as long as you read
// the Decision's `model`.
#ifndef LLMROUTE_REQUEST_H_
#define LLMROUTE_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace llmroute {

class HealthView;

// One request header as received. Names compare case-insensitively; a name that appears
// several times is matched as its values joined by "," in the order given.
struct Header {
  std::string_view name;
  std::string_view value;
};

struct Request {
  std::string_view method = "GET";  // compared exactly ("post" is not "POST")
  // Compared case-insensitively after ":port" and then one trailing dot are dropped
  // ("api.example.com.:443" is "api.example.com"; "api.example.com.." keeps one dot;
  // docs/routing.md#hosts).
  std::string_view host;
  std::string_view path = "/";      // path and query string; the path ends at '?'
  std::span<const Header> headers;

  // The request body, when the caller has it. When present it must be one JSON object (else
  // the decision is bad_request); its top-level "model" string replaces every model header
  // the request sent, and an object without one leaves the request with no model header
  // (docs/routing.md#body-model).
  std::optional<std::string_view> body;
  // Readable bytes the caller owns after the end of `body`. With at least
  // `kBodyPaddingBytes` the body is parsed in place; otherwise it is copied once into a
  // per-thread buffer that is reused (allocation only when a larger body than ever before
  // arrives on that thread).
  std::size_t body_padding = 0;

  // Entropy for weighted selection: the same entropy picks the same backend on every
  // machine and binding (docs/routing.md#selection). Absent: a per-thread generator is used.
  std::optional<uint64_t> entropy;

  // Backend health (llmroute/health.h): down backends are not chosen. Null: no view.
  // Not owned; must stay alive for the call.
  const HealthView* health = nullptr;
};

// Spare bytes after the body that allow parsing in place (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t kBodyPaddingBytes = 64;

}  // namespace llmroute

#endif  // LLMROUTE_REQUEST_H_
