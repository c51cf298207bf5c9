// libFuzzer harness for the C ABI (llmroute/c.h), called the way a careless C caller
// would: every buffer the harness hands over is allocated at exactly the size it declares,
// so AddressSanitizer reports any read past it.
//
// The input chooses (FuzzedDataProvider):
//   - compile options, including enum values the header does not define and NULL names
//     with nonzero lengths; the table is compiled from a fixed configuration with them;
//   - a session affinity default (a header or body field, valid or not);
//   - a request: struct_size anywhere from 0 to twice the struct (bytes past the struct
//     zero or not), NULL strings with lengths, a header array or NULL with a count, a body
//     with 0 to 130 readable padding bytes of any content, nonzero `reserved`, a health
//     view with some backends down (for good or for a cooldown) or none;
//   - a decision buffer with struct_size anywhere from 0 to twice the struct (the fields
//     read back are those of the first layout, which every accepted size holds);
//   - indexes into the fallbacks, models and warnings, in range or not.
// Checked, beyond "no crash, leak or undefined behaviour":
//   - every documented INVALID_ARGUMENT case returns it and leaves the decision unwritten;
//   - an accepted decision is self-consistent (status, HTTP status, via, backend, reason),
//     its bytes past the struct the library knows are zero, and every string in it and in
//     its fallbacks is readable for its length;
//   - with a health view: a rule's choice and its fallbacks are up, unless the decision has
//     `panic`; `affinity` and `panic` only on a rule's decision;
//   - with a fixed entropy, the body parsed in place (padding >= 64, whatever the padding
//     holds) gives the same decision as the body copied (no padding).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "llmroute/c.h"

namespace {

#define CHECK_OR_ABORT(condition)                                                       \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

constexpr char kConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hostnames: [api.example.com, "*.example.com"]
  standardRoutingHeader: {enabled: true}
  rules:
  - name: by-model
    matches:
    - headers: [{name: x-ai-eg-model, value: gpt-4o}]
    backendRefs:
    - {name: openai, weight: 3, modelNameOverride: gpt-4o-2024}
    - {name: azure, weight: 1}
    - {name: backup, priority: 1}
  - name: llama
    matches:
    - path: {type: RegularExpression, value: "/v[0-9]+/chat/completions"}
      method: POST
      headers: [{type: RegularExpression, name: x-ai-eg-model, value: "llama-.*"}]
    - path: {type: PathPrefix, value: /v1/embeddings}
      queryParams: [{name: region, value: eu}]
    backendRefs: [{name: vllm, weight: 2}, {name: tgi, namespace: other, weight: 5}]
  - name: empty
    matches:
    - headers: [{name: x-check, value: deep}]
    backendRefs: []
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: team}
spec:
  rules:
  - matches:
    - headers: [{name: x-tier, value: gold}]
    backendRefs: [{name: gold, weight: 1}, {name: silver, weight: 1}]
  - matches:
    - path: {type: Exact, value: /health}
    backendRefs: [{name: health}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: declared, namespace: team}
)";

// The first layout of the decision, which every library version accepts: a caller built
// against it gets the fields up to `fallbacks` and nothing written past them.
constexpr size_t kDecisionSizeV1 = offsetof(llmroute_decision_t, fallbacks) + sizeof(void*);
// The first layout of the request (without the health view), which every version accepts.
constexpr size_t kRequestSizeV1 = offsetof(llmroute_request_t, reserved) + sizeof(int32_t);

// The backends of kConfig a health view may mark down.
constexpr const char* kBackends[][2] = {
    {"team", "openai"}, {"team", "azure"}, {"team", "backup"}, {"team", "vllm"},
    {"other", "tgi"},   {"team", "gold"},  {"team", "silver"}, {"team", "health"}};
constexpr size_t kBackendCount = sizeof(kBackends) / sizeof(kBackends[0]);

// Bytes in an allocation of exactly their size (a zero-length one too), so that reading
// one byte past them is an ASan report. `null` hands over NULL with the length instead.
struct Bytes {
  std::unique_ptr<char[]> data;
  size_t len = 0;
  bool null = false;

  llmroute_string_t View() const { return {null ? nullptr : data.get(), len}; }
};

Bytes MakeBytes(std::string_view s, size_t extra = 0) {
  Bytes b;
  b.data.reset(new char[s.size() + extra]);
  std::memcpy(b.data.get(), s.data(), s.size());
  b.len = s.size();
  return b;
}

Bytes ConsumeString(FuzzedDataProvider& in, size_t max_len) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: {  // NULL with a length (0 or not)
      Bytes b;
      b.null = true;
      b.len = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<size_t>(1, 1 << 20);
      return b;
    }
    case 1:
      return MakeBytes("");
    default:
      return MakeBytes(in.ConsumeRandomLengthString(max_len));
  }
}

// Reads every byte of an output string: ASan checks that it points at that many bytes.
uint32_t Touch(llmroute_string_t s) {
  if (s.data == nullptr) {
    CHECK_OR_ABORT(s.len == 0);
    return 0;
  }
  uint32_t sum = 0;
  for (size_t i = 0; i < s.len; ++i) sum += static_cast<unsigned char>(s.data[i]);
  return sum;
}

std::string Str(llmroute_string_t s) {
  return s.data == nullptr ? std::string("<null>") : std::string(s.data, s.len);
}

std::string NameStr(llmroute_name_t n) { return Str(n.ns) + "/" + Str(n.name); }

// Compile options from the input: the setters' answers are checked against the header.
struct Options {
  std::string model_header = "x-ai-eg-model";
  int32_t standard_header = 0;
  std::string standard_header_name = "x-ai-gateway-backend";
  int32_t allowed = LLMROUTE_ALLOWED_RULES_ONLY;
  int32_t on_disallowed = LLMROUTE_ON_DISALLOWED_REJECT;
  std::string affinity_header;
  std::string affinity_body_field;

  auto Key() const {
    return std::tie(model_header, standard_header, standard_header_name, allowed,
                    on_disallowed, affinity_header, affinity_body_field);
  }
  bool operator<(const Options& other) const { return Key() < other.Key(); }
};

int32_t ConsumeEnum(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(0, 1)
                          : in.ConsumeIntegral<int32_t>();
}

Options ConsumeOptions(FuzzedDataProvider& in, llmroute_compile_options_t* options) {
  Options chosen;
  CHECK_OR_ABORT(llmroute_compile_options_set_allowed_backends(nullptr, 0) ==
                 LLMROUTE_ERROR_INVALID_ARGUMENT);
  if (in.ConsumeBool()) {
    const int32_t policy = ConsumeEnum(in);
    const int32_t rc = llmroute_compile_options_set_allowed_backends(options, policy);
    const bool known = policy == LLMROUTE_ALLOWED_RULES_ONLY ||
                       policy == LLMROUTE_ALLOWED_SAME_NAMESPACE;
    CHECK_OR_ABORT(rc == (known ? LLMROUTE_OK : LLMROUTE_ERROR_INVALID_ARGUMENT));
    if (known) chosen.allowed = policy;
  }
  if (in.ConsumeBool()) {
    const int32_t action = ConsumeEnum(in);
    const int32_t rc = llmroute_compile_options_set_on_disallowed(options, action);
    const bool known = action == LLMROUTE_ON_DISALLOWED_REJECT ||
                       action == LLMROUTE_ON_DISALLOWED_USE_RULES;
    CHECK_OR_ABORT(rc == (known ? LLMROUTE_OK : LLMROUTE_ERROR_INVALID_ARGUMENT));
    if (known) chosen.on_disallowed = action;
  }
  if (in.ConsumeBool()) {
    chosen.standard_header = in.ConsumeIntegral<int32_t>() != 0;
    CHECK_OR_ABORT(llmroute_compile_options_set_standard_header(
                       options, chosen.standard_header) == LLMROUTE_OK);
  }
  for (int which = 0; which < 2; ++which) {
    if (!in.ConsumeBool()) continue;
    // Mostly names from a short list: each new set of options compiles a table.
    const Bytes name =
        in.ConsumeIntegralInRange<int>(0, 7) == 0
            ? ConsumeString(in, 24)
            : MakeBytes(in.PickValueInArray({"x-ai-eg-model", "X-Tier", "x-pick", "x-check"}));
    const int32_t rc =
        which == 0
            ? llmroute_compile_options_set_model_header(options, name.View().data, name.len)
            : llmroute_compile_options_set_standard_header_name(options, name.View().data,
                                                                name.len);
    if (name.null && name.len != 0) {
      CHECK_OR_ABORT(rc == LLMROUTE_ERROR_INVALID_ARGUMENT);
    } else {
      CHECK_OR_ABORT(rc == LLMROUTE_OK);
      (which == 0 ? chosen.model_header : chosen.standard_header_name)
          .assign(name.null ? "" : name.data.get(), name.len);
    }
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 3) {
    // A session affinity default: setting one (non-empty) clears the other.
    const bool header = !in.ConsumeBool();
    const Bytes name =
        in.ConsumeIntegralInRange<int>(0, 7) == 7
            ? ConsumeString(in, 24)
            : MakeBytes(in.PickValueInArray({"x-session", "X-Tier", "user", "bad name", ""}));
    const int32_t rc =
        header ? llmroute_compile_options_set_affinity_header(options, name.View().data, name.len)
               : llmroute_compile_options_set_affinity_body_field(options, name.View().data,
                                                                  name.len);
    if (name.null && name.len != 0) {
      CHECK_OR_ABORT(rc == LLMROUTE_ERROR_INVALID_ARGUMENT);
    } else {
      CHECK_OR_ABORT(rc == LLMROUTE_OK);
      std::string& set = header ? chosen.affinity_header : chosen.affinity_body_field;
      std::string& other = header ? chosen.affinity_body_field : chosen.affinity_header;
      set.assign(name.null ? "" : name.data.get(), name.len);
      if (!set.empty()) other.clear();
    }
  }
  return chosen;
}

// A health view from the input (NULL: none), with `down[i]` set for each backend of
// kBackends that it holds down now.
llmroute_health_t* ConsumeHealth(FuzzedDataProvider& in, bool* down) {
  std::fill(down, down + kBackendCount, false);
  if (in.ConsumeBool()) return nullptr;
  llmroute_health_t* health = llmroute_health_create_manual_clock(1000);
  CHECK_OR_ABORT(health != nullptr);
  const uint32_t marks = in.ConsumeIntegral<uint32_t>();
  for (size_t i = 0; i < kBackendCount; ++i) {
    const char* ns = kBackends[i][0];
    const char* name = kBackends[i][1];
    switch ((marks >> (3 * i)) & 7) {
      case 1:
        CHECK_OR_ABORT(llmroute_health_mark_down(health, ns, std::strlen(ns), name,
                                                 std::strlen(name)) == LLMROUTE_OK);
        down[i] = true;
        break;
      case 2:  // a cooldown still running
        CHECK_OR_ABORT(llmroute_health_mark_down_for(health, ns, std::strlen(ns), name,
                                                     std::strlen(name), 500) == LLMROUTE_OK);
        down[i] = true;
        break;
      case 3:  // a cooldown that has ended by the time of the request
        CHECK_OR_ABORT(llmroute_health_mark_down_for(health, ns, std::strlen(ns), name,
                                                     std::strlen(name), 1) == LLMROUTE_OK);
        break;
      case 4:  // down, then up again
        CHECK_OR_ABORT(llmroute_health_mark_down(health, ns, std::strlen(ns), name,
                                                 std::strlen(name)) == LLMROUTE_OK);
        CHECK_OR_ABORT(llmroute_health_mark_up(health, ns, std::strlen(ns), name,
                                               std::strlen(name)) == LLMROUTE_OK);
        break;
      default:
        break;
    }
  }
  CHECK_OR_ABORT(llmroute_health_set_now(health, 1001) == LLMROUTE_OK);
  for (size_t i = 0; i < kBackendCount; ++i) {
    int32_t is_down = -1;
    CHECK_OR_ABORT(llmroute_health_state(health, kBackends[i][0], std::strlen(kBackends[i][0]),
                                         kBackends[i][1], std::strlen(kBackends[i][1]), &is_down,
                                         nullptr) == LLMROUTE_OK);
    CHECK_OR_ABORT(is_down == (down[i] ? 1 : 0));
  }
  return health;
}

bool IsDown(llmroute_name_t backend, const bool* down) {
  for (size_t i = 0; i < kBackendCount; ++i) {
    if (down[i] && Str(backend.ns) == kBackends[i][0] && Str(backend.name) == kBackends[i][1]) {
      return true;
    }
  }
  return false;
}

// What the health view and affinity promise of a decision the caller's struct holds whole.
void CheckHealthAndAffinity(const llmroute_decision_t& d, const bool* down, bool has_health) {
  CHECK_OR_ABORT(d.affinity == 0 || d.affinity == 1);
  CHECK_OR_ABORT(d.panic == 0 || d.panic == 1);
  if (d.affinity != 0 || d.panic != 0) {
    CHECK_OR_ABORT(d.status == LLMROUTE_STATUS_ROUTED && d.via == LLMROUTE_VIA_RULE);
  }
  if (!has_health) {
    CHECK_OR_ABORT(d.panic == 0);
    return;
  }
  if (d.via != LLMROUTE_VIA_RULE || d.panic != 0) return;
  CHECK_OR_ABORT(!IsDown(d.backend, down));
  for (size_t i = 0; i < d.fallback_count; ++i) {
    llmroute_name_t fallback;
    CHECK_OR_ABORT(llmroute_decision_fallback(&d, i, &fallback) == LLMROUTE_OK);
    CHECK_OR_ABORT(!IsDown(fallback, down));
  }
}

// One compiled table per distinct set of options (NULL when those options do not
// compile, e.g. an empty header name), kept for the whole run.
llmroute_table_t* TableFor(const Options& chosen, const llmroute_compile_options_t* options) {
  static auto* tables = new std::map<Options, llmroute_table_t*>;
  if (auto it = tables->find(chosen); it != tables->end()) return it->second;
  if (tables->size() >= 256) {
    for (auto& [key, table] : *tables) llmroute_table_free(table);
    tables->clear();
  }
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  const int32_t rc = llmroute_table_compile_text(options, kConfig, sizeof(kConfig) - 1,
                                                 "fuzz.yaml", 9, &table, &error);
  if (rc == LLMROUTE_OK) {
    CHECK_OR_ABORT(table != nullptr && error == nullptr);
  } else {
    CHECK_OR_ABORT(rc == LLMROUTE_ERROR_CONFIG && table == nullptr && error != nullptr);
    CHECK_OR_ABORT(std::strlen(error) > 0);
    llmroute_free(error);
  }
  (*tables)[chosen] = table;
  return table;
}

// The parts of a decision that do not depend on where the request's bytes live.
std::string Summary(const llmroute_decision_t& d) {
  std::string s = std::to_string(d.status) + " " + std::to_string(d.http_status) + " " +
                  std::to_string(d.via) + " " + std::to_string(d.rule) + " " +
                  std::to_string(d.match) + " " + NameStr(d.backend) + " " +
                  NameStr(d.route) + " " + Str(d.rule_name) + " " + Str(d.model) + " " +
                  Str(d.model_override) + " " + Str(d.reason);
  for (size_t i = 0; i < d.fallback_count; ++i) {
    llmroute_name_t fallback;
    CHECK_OR_ABORT(llmroute_decision_fallback(&d, i, &fallback) == LLMROUTE_OK);
    s += " " + NameStr(fallback);
  }
  return s;
}

void CheckDecision(const llmroute_decision_t& d) {
  CHECK_OR_ABORT(d.status >= LLMROUTE_STATUS_ROUTED && d.status <= LLMROUTE_STATUS_NO_BACKEND);
  CHECK_OR_ABORT(d.http_status == llmroute_http_status(d.status));
  CHECK_OR_ABORT(std::strcmp(llmroute_status_name(d.status), "unknown") != 0);
  CHECK_OR_ABORT(d.via >= LLMROUTE_VIA_NONE && d.via <= LLMROUTE_VIA_STANDARD_HEADER);
  const bool routed = d.status == LLMROUTE_STATUS_ROUTED;
  CHECK_OR_ABORT(routed == (d.backend.name.data != nullptr));
  CHECK_OR_ABORT(routed == (d.reason.data == nullptr));
  if (routed) CHECK_OR_ABORT(d.route.name.data != nullptr && d.via != LLMROUTE_VIA_NONE);
  CHECK_OR_ABORT(d.rule >= -1 && d.match >= -1);
  CHECK_OR_ABORT((d.fallback_count == 0) == (d.fallbacks == nullptr));
  uint32_t sum = Touch(d.backend.ns) + Touch(d.backend.name) + Touch(d.route.ns) +
                 Touch(d.route.name) + Touch(d.rule_name) + Touch(d.model) +
                 Touch(d.model_override) + Touch(d.reason);
  for (size_t i = 0; i < d.fallback_count; ++i) {
    llmroute_name_t fallback;
    CHECK_OR_ABORT(llmroute_decision_fallback(&d, i, &fallback) == LLMROUTE_OK);
    CHECK_OR_ABORT(fallback.name.data != nullptr);
    sum += Touch(fallback.ns) + Touch(fallback.name);
  }
  llmroute_name_t unused;
  CHECK_OR_ABORT(llmroute_decision_fallback(&d, d.fallback_count, &unused) ==
                 LLMROUTE_ERROR_INVALID_ARGUMENT);
  CHECK_OR_ABORT(llmroute_decision_fallback(&d, 0, nullptr) == LLMROUTE_ERROR_INVALID_ARGUMENT);
  CHECK_OR_ABORT(llmroute_decision_fallback(nullptr, 0, &unused) ==
                 LLMROUTE_ERROR_INVALID_ARGUMENT);
  volatile uint32_t sink = sum;
  (void)sink;
}

// A decision buffer of exactly `size` bytes (at least the struct_size field), filled with
// a marker so that what the library wrote can be told from what it did not.
struct DecisionBuffer {
  explicit DecisionBuffer(size_t size)
      : bytes(std::max(size, sizeof(size_t))), data(new unsigned char[bytes]) {
    std::memset(data.get(), 0xA5, bytes);
    std::memcpy(data.get(), &size, sizeof(size_t));
  }
  llmroute_decision_t* get() { return reinterpret_cast<llmroute_decision_t*>(data.get()); }
  bool Untouched() const {
    for (size_t i = sizeof(size_t); i < bytes; ++i) {
      if (data[i] != 0xA5) return false;
    }
    return true;
  }
  size_t bytes;
  std::unique_ptr<unsigned char[]> data;
};

// The struct's own size unless the input says otherwise (a short input gets valid sizes).
size_t ConsumeStructSize(FuzzedDataProvider& in, size_t size) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, 2 * size) : size;
}

void FuzzTableQueries(FuzzedDataProvider& in, const llmroute_table_t* table) {
  const size_t models = llmroute_table_model_count(table);
  const size_t warnings = llmroute_table_warning_count(table);
  const size_t index = in.ConsumeIntegralInRange<size_t>(0, models + 2);
  llmroute_string_t model;
  llmroute_name_t route;
  const int32_t rc = llmroute_table_model(table, index, &model, &route);
  CHECK_OR_ABORT(rc == (index < models ? LLMROUTE_OK : LLMROUTE_ERROR_INVALID_ARGUMENT));
  if (rc == LLMROUTE_OK) Touch(model), Touch(route.ns), Touch(route.name);
  if (index < models) {  // either out-parameter may be NULL
    CHECK_OR_ABORT(llmroute_table_model(table, index, nullptr, nullptr) == LLMROUTE_OK);
  }
  const size_t windex = in.ConsumeIntegralInRange<size_t>(0, warnings + 2);
  llmroute_string_t message;
  const int32_t wrc = llmroute_table_warning(table, windex, &message);
  CHECK_OR_ABORT(wrc == (windex < warnings ? LLMROUTE_OK : LLMROUTE_ERROR_INVALID_ARGUMENT));
  if (wrc == LLMROUTE_OK) Touch(message);
  llmroute_string_t header;
  CHECK_OR_ABORT(llmroute_table_model_header(table, &header) == LLMROUTE_OK);
  Touch(header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);

  llmroute_compile_options_t* options = llmroute_compile_options_create();
  CHECK_OR_ABORT(options != nullptr);
  const Options chosen = ConsumeOptions(in, options);
  llmroute_table_t* table = TableFor(chosen, options);
  llmroute_compile_options_free(options);
  if (table == nullptr) return 0;
  FuzzTableQueries(in, table);
  // Early in the input, so that short inputs get a view too.
  bool down[kBackendCount];
  llmroute_health_t* health = ConsumeHealth(in, down);

  // The request, in pieces that each live in an allocation of their exact size.
  const Bytes method = in.ConsumeBool() ? MakeBytes(in.PickValueInArray({"GET", "POST", "PUT"}))
                                        : ConsumeString(in, 8);
  const Bytes host = in.ConsumeBool()
                         ? MakeBytes(in.PickValueInArray({"api.example.com", "x.example.com:8080",
                                                          "API.EXAMPLE.COM.", "other"}))
                         : ConsumeString(in, 40);
  const Bytes path = in.ConsumeBool()
                         ? MakeBytes(in.PickValueInArray({"/v1/chat/completions",
                                                          "/v1/embeddings?region=eu", "/health"}))
                         : ConsumeString(in, 64);
  const size_t header_count = in.ConsumeIntegralInRange<size_t>(0, 6);
  std::vector<Bytes> header_bytes;
  for (size_t i = 0; i < 2 * header_count; ++i) {
    if (i % 2 == 0 && in.ConsumeBool()) {
      header_bytes.push_back(MakeBytes(in.PickValueInArray(
          {"x-ai-eg-model", "X-AI-EG-Model", "x-ai-gateway-backend", "x-tier", "x-check",
           "x-session"})));
    } else {
      header_bytes.push_back(ConsumeString(in, 32));
    }
  }
  const bool null_headers = in.ConsumeIntegralInRange<int>(0, 15) == 15;
  std::unique_ptr<llmroute_header_t[]> headers;
  if (header_count > 0 && !null_headers) {
    headers.reset(new llmroute_header_t[header_count]);
    for (size_t i = 0; i < header_count; ++i) {
      headers[i] = {header_bytes[2 * i].View(), header_bytes[2 * i + 1].View()};
    }
  }
  const bool has_body = in.ConsumeBool();
  const size_t padding = in.ConsumeIntegralInRange<size_t>(0, 130);
  const uint8_t padding_byte = in.ConsumeIntegral<uint8_t>();
  const uint64_t entropy = in.ConsumeIntegral<uint64_t>();
  const int32_t has_entropy = in.ConsumeIntegralInRange<int32_t>(-1, 2);
  const int32_t reserved = in.ConsumeIntegralInRange<int>(0, 15) == 15 ? in.ConsumeIntegral<int32_t>()
                                                                      : 0;
  const size_t request_size = ConsumeStructSize(in, sizeof(llmroute_request_t));
  const bool tail_nonzero = in.ConsumeIntegralInRange<int>(0, 3) == 3;
  const size_t decision_size = ConsumeStructSize(in, sizeof(llmroute_decision_t));
  // What is left is the body (a JSON object, or not).
  const std::string body_text = in.ConsumeRemainingBytesAsString();
  Bytes body = MakeBytes(body_text, padding);
  std::memset(body.data.get() + body.len, padding_byte, padding);

  llmroute_request_t request;
  std::memset(&request, 0, sizeof(request));
  request.struct_size = request_size;
  request.method = method.View();
  request.host = host.View();
  request.path = path.View();
  request.headers = headers.get();
  request.header_count = header_count;
  request.body = has_body ? body.View() : llmroute_string_t{nullptr, 0};
  request.body_padding = has_body ? padding : 0;
  request.entropy = entropy;
  request.has_entropy = has_entropy;
  request.reserved = reserved;
  request.health = health;
  // The view counts only when the caller's struct holds the field.
  const bool has_health =
      health != nullptr && request_size >= offsetof(llmroute_request_t, health) + sizeof(void*);

  // The request as the caller declares it: struct_size bytes (never less than the size
  // field itself), the bytes past the struct zero or not.
  const size_t request_bytes = std::max(request_size, sizeof(size_t));
  std::unique_ptr<unsigned char[]> request_buffer(new unsigned char[request_bytes]);
  std::memcpy(request_buffer.get(), &request, std::min(request_bytes, sizeof(request)));
  for (size_t i = sizeof(request); i < request_bytes; ++i) {
    request_buffer[i] = tail_nonzero && i == request_bytes - 1 ? 1 : 0;
  }
  const auto* declared = reinterpret_cast<const llmroute_request_t*>(request_buffer.get());

  DecisionBuffer out(decision_size);
  const int32_t rc = llmroute_resolve(table, declared, out.get());
  const bool invalid = request_size < kRequestSizeV1 ||
                       decision_size < kDecisionSizeV1 || reserved != 0 ||
                       (header_count > 0 && headers == nullptr) ||
                       (tail_nonzero && request_size > sizeof(llmroute_request_t));
  if (invalid) {
    CHECK_OR_ABORT(rc == LLMROUTE_ERROR_INVALID_ARGUMENT);
    CHECK_OR_ABORT(out.Untouched());
  } else {
    CHECK_OR_ABORT(rc == LLMROUTE_OK);
    llmroute_decision_t* d = out.get();
    CHECK_OR_ABORT(d->struct_size == decision_size);
    for (size_t i = sizeof(llmroute_decision_t); i < out.bytes; ++i) {
      CHECK_OR_ABORT(out.data[i] == 0);
    }
    CheckDecision(*d);
    if (decision_size >= sizeof(llmroute_decision_t)) CheckHealthAndAffinity(*d, down, has_health);

    // The same request with the body copied instead of parsed in place: same decision.
    if (has_body && has_entropy != 0 && padding >= 64) {
      llmroute_request_t copied = request;
      copied.struct_size = sizeof(copied);
      if (!has_health) copied.health = nullptr;
      copied.body_padding = 0;
      llmroute_decision_t again;
      std::memset(&again, 0, sizeof(again));
      again.struct_size = sizeof(again);
      const std::string first = Summary(*d);
      CHECK_OR_ABORT(llmroute_resolve(table, &copied, &again) == LLMROUTE_OK);
      const std::string second = Summary(again);
      if (first != second) {
        std::fprintf(stderr, "in place: %s\ncopied:   %s\n", first.c_str(), second.c_str());
        std::abort();
      }
    }
  }

  // NULL arguments.
  llmroute_decision_t unused;
  std::memset(&unused, 0, sizeof(unused));
  unused.struct_size = sizeof(unused);
  CHECK_OR_ABORT(llmroute_resolve(nullptr, &request, &unused) == LLMROUTE_ERROR_INVALID_ARGUMENT);
  CHECK_OR_ABORT(llmroute_resolve(table, nullptr, &unused) == LLMROUTE_ERROR_INVALID_ARGUMENT);
  CHECK_OR_ABORT(llmroute_resolve(table, &request, nullptr) == LLMROUTE_ERROR_INVALID_ARGUMENT);
  llmroute_health_free(health);
  return 0;
}
