// The C ABI (llmroute/c.h) over the public C++ API (include/llmroute/).
//
// Every entry point catches whatever the C++ side may throw (allocation failure, mostly)
// and turns it into a result code; no exception and no C++ type crosses the boundary.
#include "llmroute/c.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/diagnostic.h"
#include "llmroute/explain.h"
#include "llmroute/health.h"
#include "llmroute/holder.h"
#include "llmroute/load.h"
#include "llmroute/names.h"
#include "llmroute/request.h"
#include "llmroute/table.h"
#include "struct_growth.h"

struct llmroute_compile_options_t {
  llmroute::CompileOptions options;
};

// One compiled table with what the C side hands out precomputed. `references` is its only
// reference count: every llmroute_table_t* a caller or a holder keeps is one of them.
struct llmroute_table_t {
  std::atomic<int64_t> references{1};
  std::shared_ptr<const llmroute::RoutingTable> table;  // this handle's alone
  std::vector<std::string> warnings;  // Diagnostic::ToString() of each warning
};

struct llmroute_health_t {
  llmroute_health_t() = default;  // the monotonic clock
  explicit llmroute_health_t(llmroute::HealthView::Clock clock) : view(std::move(clock)) {}
  bool manual = false;
  std::atomic<int64_t>* manual_cell = nullptr;  // the manual clock's reading, owned
  llmroute::HealthView view;
};

// One counted reference to a C table, as the holder's publication keeps and hands out:
// copying adds a reference, destruction drops one, release() hands it to the caller.
class TableReference {
 public:
  static TableReference Share(llmroute_table_t* table) {
    return TableReference(llmroute_table_ref(table));
  }
  TableReference(const TableReference& other) : table_(llmroute_table_ref(other.table_)) {}
  TableReference(TableReference&& other) noexcept : table_(std::exchange(other.table_, nullptr)) {}
  TableReference& operator=(TableReference other) noexcept {
    std::swap(table_, other.table_);
    return *this;
  }
  ~TableReference() { llmroute_table_free(table_); }
  llmroute_table_t* release() { return std::exchange(table_, nullptr); }

 private:
  explicit TableReference(llmroute_table_t* table) : table_(table) {}
  llmroute_table_t* table_;
};

// The current table of a reloading configuration: the same publication as
// llmroute::TableHolder's (swap and acquire under its mutex, the generation without), over
// the C table's own reference count.
struct llmroute_holder_t {
  explicit llmroute_holder_t(TableReference initial) : publication(std::move(initial)) {}
  llmroute::internal::Publication<TableReference> publication;
};

namespace {

// The enums of the header mirror the C++ ones value for value.
static_assert(LLMROUTE_STATUS_ROUTED == static_cast<int>(llmroute::DecisionStatus::kRouted));
static_assert(LLMROUTE_STATUS_NO_ROUTE == static_cast<int>(llmroute::DecisionStatus::kNoRoute));
static_assert(LLMROUTE_STATUS_BACKEND_NOT_ALLOWED ==
              static_cast<int>(llmroute::DecisionStatus::kBackendNotAllowed));
static_assert(LLMROUTE_STATUS_BAD_REQUEST ==
              static_cast<int>(llmroute::DecisionStatus::kBadRequest));
static_assert(LLMROUTE_STATUS_NO_BACKEND == static_cast<int>(llmroute::DecisionStatus::kNoBackend));
static_assert(LLMROUTE_VIA_NONE == static_cast<int>(llmroute::Via::kNone));
static_assert(LLMROUTE_VIA_RULE == static_cast<int>(llmroute::Via::kRule));
static_assert(LLMROUTE_VIA_STANDARD_HEADER == static_cast<int>(llmroute::Via::kStandardHeader));

// The first published layouts (ABI growth rule, llmroute/c.h): a caller's struct is
// never smaller than these. Fields appended later are read or written only when the
// caller's struct_size covers them.
constexpr std::size_t kRequestSizeV1 = offsetof(llmroute_request_t, reserved) + sizeof(int32_t);
constexpr std::size_t kDecisionSizeV1 =
    offsetof(llmroute_decision_t, fallbacks) + sizeof(const void*);
// Later layouts appended the health view to the request, and to the decision the
// mutations, the retry policy, then affinity and panic.
constexpr std::size_t kRequestSizeV2 = offsetof(llmroute_request_t, health) + sizeof(const void*);
static_assert(std::is_trivially_destructible_v<llmroute::Header>);
static_assert(kRequestSizeV2 == sizeof(llmroute_request_t), "no tail padding in the request");
// The decision's mutation fields: written and read only when struct_size covers them.
constexpr std::size_t kDecisionSizeMutations =
    offsetof(llmroute_decision_t, mutations) + sizeof(const void*);
static_assert(LLMROUTE_BACKEND_KIND_BACKEND == static_cast<int>(llmroute::BackendRefKind::kBackend));
static_assert(LLMROUTE_BACKEND_KIND_INFERENCE_POOL ==
              static_cast<int>(llmroute::BackendRefKind::kInferencePool));
// The layout with the retry policy appended.
constexpr std::size_t kDecisionSizeWithRetry =
    offsetof(llmroute_decision_t, retry_code_count) + sizeof(std::size_t);
// Then affinity and panic.
constexpr std::size_t kDecisionSizeAffinity = offsetof(llmroute_decision_t, panic) + sizeof(int32_t);
static_assert(kDecisionSizeAffinity == sizeof(llmroute_decision_t), "no tail padding in the decision");

// Headers converted for the C++ Request live on the stack up to this many; more use a
// per-thread buffer that grows only when a request has more headers than any before.
constexpr std::size_t kStackHeaders = 64;

constexpr const char kEmpty[] = "";

std::string_view In(const llmroute_string_t& s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}

llmroute_string_t Out(std::string_view s) {
  return {s.data() == nullptr ? kEmpty : s.data(), s.size()};
}

llmroute_string_t OutOptional(const std::optional<std::string_view>& s) {
  return s.has_value() ? Out(*s) : llmroute_string_t{nullptr, 0};
}

llmroute_name_t OutName(const std::optional<llmroute::NamespacedName>& n) {
  if (!n.has_value()) return {{nullptr, 0}, {nullptr, 0}};
  return {Out(n->namespace_), Out(n->name)};
}

// LevelDB's SaveError: replaces the message in *errptr with a malloc'd copy of `message`.
void SaveError(char** errptr, std::string_view message) {
  if (errptr == nullptr) return;
  std::free(*errptr);
  *errptr = static_cast<char*>(std::malloc(message.size() + 1));
  if (*errptr == nullptr) return;
  std::memcpy(*errptr, message.data(), message.size());
  (*errptr)[message.size()] = '\0';
}

int32_t Fail(char** errptr, int32_t code, std::string_view message) {
  SaveError(errptr, message);
  return code;
}

// Status messages are absl::string_view, which is not std::string_view in Debian's Abseil.
std::string_view MessageOf(const absl::Status& status) {
  return std::string_view(status.message().data(), status.message().size());
}

int32_t CodeOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: return LLMROUTE_ERROR_CONFIG;
    case absl::StatusCode::kNotFound: return LLMROUTE_ERROR_NOT_FOUND;
    case absl::StatusCode::kPermissionDenied: return LLMROUTE_ERROR_PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted: return LLMROUTE_ERROR_OUT_OF_MEMORY;
    default: return LLMROUTE_ERROR_IO;
  }
}

// Runs `body` (which returns a result code), turning exceptions into codes.
template <typename Body>
int32_t Guarded(char** errptr, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(errptr, LLMROUTE_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(errptr, LLMROUTE_ERROR_INTERNAL, e.what());
  } catch (...) {
    return Fail(errptr, LLMROUTE_ERROR_INTERNAL, "internal error");
  }
}

// Compiles a loaded config into a new table reference in *table.
int32_t CompileLoaded(const absl::StatusOr<llmroute::Config>& config,
                      const llmroute_compile_options_t* options, llmroute_table_t** table,
                      char** errptr) {
  if (!config.ok()) {
    return Fail(errptr, CodeOf(config.status()), MessageOf(config.status()));
  }
  static const llmroute::CompileOptions kDefaults;
  absl::StatusOr<std::shared_ptr<const llmroute::RoutingTable>> compiled =
      llmroute::Compile(*config, options == nullptr ? kDefaults : options->options);
  if (!compiled.ok()) {
    return Fail(errptr, CodeOf(compiled.status()), MessageOf(compiled.status()));
  }
  auto result = std::make_unique<llmroute_table_t>();
  result->table = *std::move(compiled);
  for (const llmroute::Diagnostic& warning : result->table->warnings()) {
    result->warnings.push_back(warning.ToString());
  }
  *table = result.release();
  return LLMROUTE_OK;
}

bool TailIsZero(const void* base, std::size_t from, std::size_t to) {
  const unsigned char* bytes = static_cast<const unsigned char*>(base);
  for (std::size_t i = from; i < to; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::vector<llmroute::Header>& HeaderBufferForThisThread() {
  thread_local std::vector<llmroute::Header> buffer;
  return buffer;
}

void WriteDecision(const llmroute::Decision& d, llmroute_decision_t* out) {
  const std::size_t size = out->struct_size;
  llmroute_decision_t c;
  c.struct_size = size;
  c.status = static_cast<int32_t>(d.status);
  c.http_status = d.http_status;
  c.via = static_cast<int32_t>(d.via);
  c.rule = d.rule.has_value() ? static_cast<int32_t>(*d.rule) : -1;
  c.match = d.match.has_value() ? static_cast<int32_t>(*d.match) : -1;
  c.reserved = 0;
  c.backend = OutName(d.backend);
  c.route = OutName(d.route);
  c.rule_name = OutOptional(d.rule_name);
  c.model = OutOptional(d.model);
  c.model_override = OutOptional(d.model_override);
  c.reason = d.reason.empty() ? llmroute_string_t{nullptr, 0} : Out(d.reason);
  c.fallback_count = d.fallbacks.size();
  c.fallbacks = d.fallbacks.empty() ? nullptr : d.fallbacks.data();
  c.backend_kind = d.backend.has_value() ? static_cast<int32_t>(d.backend_kind) : 0;
  c.reserved2 = 0;
  const llmroute::BackendMutations* m = d.mutations;
  c.header_set_count = m == nullptr ? 0 : m->header_set.size();
  c.header_remove_count = m == nullptr ? 0 : m->header_remove.size();
  c.body_set_count = m == nullptr ? 0 : m->body_set.size();
  c.body_remove_count = m == nullptr ? 0 : m->body_remove.size();
  c.mutations = m;
  c.has_retry = d.retry != nullptr ? 1 : 0;
  c.retry_attempts = d.retry != nullptr ? d.retry->attempts : 0;
  c.retry_backoff_ms = d.retry != nullptr ? d.retry->backoff_ms : 0;
  c.retry_codes = d.retry != nullptr && !d.retry->codes.empty() ? d.retry->codes.data() : nullptr;
  c.retry_code_count = d.retry != nullptr ? d.retry->codes.size() : 0;
  c.affinity = d.affinity ? 1 : 0;
  c.panic = d.panic ? 1 : 0;
  // Only what the caller's struct holds: an older caller's is shorter than `c`.
  llmroute::capi_internal::WriteGrownStruct(&c, sizeof(c), out, size);
}

// The decision's mutations, or null when its struct does not carry them or it has none.
const llmroute::BackendMutations* MutationsOf(const llmroute_decision_t* decision) {
  if (decision == nullptr || decision->struct_size < kDecisionSizeMutations) return nullptr;
  return static_cast<const llmroute::BackendMutations*>(decision->mutations);
}

// Entry `index` of one of the decision's mutation lists, or null when the decision has no
// mutations or the list is shorter.
template <typename T>
const T* MutationAt(const llmroute_decision_t* decision,
                    std::span<const T> llmroute::BackendMutations::*list, size_t index) {
  const llmroute::BackendMutations* m = MutationsOf(decision);
  if (m == nullptr || index >= (m->*list).size()) return nullptr;
  return &(m->*list)[index];
}

void WriteModel(const llmroute::ModelEntry& entry, llmroute_model_t* out) {
  *out = {Out(entry.model), {Out(entry.route.namespace_), Out(entry.route.name)},
          Out(entry.owned_by), entry.created};
}

std::span<const llmroute::ModelEntry> HostModels(const llmroute_table_t* table, const char* host,
                                                 size_t host_len) {
  if (table == nullptr || (host == nullptr && host_len != 0)) return {};
  return table->table->models(std::string_view(host == nullptr ? kEmpty : host, host_len));
}
// Ok, or LLMROUTE_ERROR_INVALID_ARGUMENT for a NULL argument, a bad struct_size, a nonzero
// `reserved`, or headers NULL with header_count > 0.
int32_t CheckRequest(const llmroute_table_t* table, const llmroute_request_t* request) {
  if (table == nullptr || request == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  const std::size_t request_size = request->struct_size;
  if (request_size < kRequestSizeV1) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  if (request_size > sizeof(llmroute_request_t) &&
      !TailIsZero(request, sizeof(llmroute_request_t), request_size)) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  if (request->reserved != 0 || (request->headers == nullptr && request->header_count != 0)) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  return LLMROUTE_OK;
}

// Calls `use` with the C++ view of a checked request, without allocating once the thread
// has warmed up.
template <typename Use>
void WithRequest(const llmroute_request_t& request, Use&& use) {
  llmroute::Request r;
  if (request.method.data != nullptr) r.method = In(request.method);
  r.host = In(request.host);
  if (request.path.data != nullptr) r.path = In(request.path);
  if (request.body.data != nullptr) {
    r.body = In(request.body);
    r.body_padding = request.body_padding;
  }
  if (request.has_entropy != 0) r.entropy = request.entropy;
  if (request.struct_size >= kRequestSizeV2 && request.health != nullptr) {
    r.health = &request.health->view;
  }

  // Uninitialized on purpose: only the first `count` entries are constructed.
  const std::size_t count = request.header_count;
  alignas(llmroute::Header) unsigned char on_stack[kStackHeaders * sizeof(llmroute::Header)];
  llmroute::Header* headers = reinterpret_cast<llmroute::Header*>(on_stack);
  if (count > kStackHeaders) {
    std::vector<llmroute::Header>& buffer = HeaderBufferForThisThread();
    if (buffer.size() < count) buffer.resize(count);
    headers = buffer.data();
  }
  for (std::size_t i = 0; i < count; ++i) {
    new (&headers[i]) llmroute::Header{In(request.headers[i].name), In(request.headers[i].value)};
  }
  r.headers = std::span<const llmroute::Header>(headers, count);
  use(r);
}

}  // namespace

extern "C" {

const char* llmroute_version(void) { return LLMROUTE_VERSION_STRING; }

int32_t llmroute_version_number(void) { return LLMROUTE_VERSION_NUMBER; }

const char* llmroute_error_name(int32_t code) {
  switch (code) {
    case LLMROUTE_OK: return "ok";
    case LLMROUTE_ERROR_INVALID_ARGUMENT: return "invalid_argument";
    case LLMROUTE_ERROR_CONFIG: return "config";
    case LLMROUTE_ERROR_NOT_FOUND: return "not_found";
    case LLMROUTE_ERROR_PERMISSION_DENIED: return "permission_denied";
    case LLMROUTE_ERROR_IO: return "io";
    case LLMROUTE_ERROR_OUT_OF_MEMORY: return "out_of_memory";
    case LLMROUTE_ERROR_INTERNAL: return "internal";
  }
  return "unknown";
}

const char* llmroute_status_name(int32_t status) {
  switch (status) {
    case LLMROUTE_STATUS_ROUTED: return "routed";
    case LLMROUTE_STATUS_NO_ROUTE: return "no_route";
    case LLMROUTE_STATUS_BACKEND_NOT_ALLOWED: return "backend_not_allowed";
    case LLMROUTE_STATUS_BAD_REQUEST: return "bad_request";
    case LLMROUTE_STATUS_NO_BACKEND: return "no_backend";
  }
  return "unknown";
}

const char* llmroute_via_name(int32_t via) {
  switch (via) {
    case LLMROUTE_VIA_NONE: return "";
    case LLMROUTE_VIA_RULE: return "rule";
    case LLMROUTE_VIA_STANDARD_HEADER: return "standard_header";
  }
  return "unknown";
}

int32_t llmroute_http_status(int32_t status) {
  if (status < LLMROUTE_STATUS_ROUTED || status > LLMROUTE_STATUS_NO_BACKEND) return 0;
  return llmroute::HttpStatusOf(static_cast<llmroute::DecisionStatus>(status));
}

void llmroute_free(void* ptr) { std::free(ptr); }

llmroute_compile_options_t* llmroute_compile_options_create(void) {
  return new (std::nothrow) llmroute_compile_options_t;
}

void llmroute_compile_options_free(llmroute_compile_options_t* options) { delete options; }

int32_t llmroute_compile_options_set_model_header(llmroute_compile_options_t* options,
                                                  const char* name, size_t name_len) {
  if (options == nullptr || (name == nullptr && name_len != 0)) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  return Guarded(nullptr, [&] {
    options->options.model_header.assign(name == nullptr ? kEmpty : name, name_len);
    return LLMROUTE_OK;
  });
}

int32_t llmroute_compile_options_set_standard_header(llmroute_compile_options_t* options,
                                                     int32_t enabled) {
  if (options == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  options->options.standard_header.enabled = enabled != 0;
  return LLMROUTE_OK;
}

int32_t llmroute_compile_options_set_affinity_header(llmroute_compile_options_t* options,
                                                     const char* name, size_t name_len) {
  if (options == nullptr || (name == nullptr && name_len != 0)) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  return Guarded(nullptr, [&] {
    options->options.affinity_header.assign(name == nullptr ? kEmpty : name, name_len);
    if (name_len != 0) options->options.affinity_body_field.clear();
    return LLMROUTE_OK;
  });
}

int32_t llmroute_compile_options_set_affinity_body_field(llmroute_compile_options_t* options,
                                                         const char* name, size_t name_len) {
  if (options == nullptr || (name == nullptr && name_len != 0)) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  return Guarded(nullptr, [&] {
    options->options.affinity_body_field.assign(name == nullptr ? kEmpty : name, name_len);
    if (name_len != 0) options->options.affinity_header.clear();
    return LLMROUTE_OK;
  });
}

int32_t llmroute_compile_options_set_standard_header_name(llmroute_compile_options_t* options,
                                                          const char* name, size_t name_len) {
  if (options == nullptr || (name == nullptr && name_len != 0)) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  return Guarded(nullptr, [&] {
    options->options.standard_header.header_name.assign(name == nullptr ? kEmpty : name,
                                                        name_len);
    return LLMROUTE_OK;
  });
}

int32_t llmroute_compile_options_set_allowed_backends(llmroute_compile_options_t* options,
                                                      int32_t policy) {
  if (options == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  switch (policy) {
    case LLMROUTE_ALLOWED_RULES_ONLY:
      options->options.standard_header.allowed_backends = llmroute::AllowedBackends::kRulesOnly;
      return LLMROUTE_OK;
    case LLMROUTE_ALLOWED_SAME_NAMESPACE:
      options->options.standard_header.allowed_backends =
          llmroute::AllowedBackends::kSameNamespace;
      return LLMROUTE_OK;
  }
  return LLMROUTE_ERROR_INVALID_ARGUMENT;
}

int32_t llmroute_compile_options_set_on_disallowed(llmroute_compile_options_t* options,
                                                   int32_t action) {
  if (options == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  switch (action) {
    case LLMROUTE_ON_DISALLOWED_REJECT:
      options->options.standard_header.on_disallowed = llmroute::OnDisallowed::kReject;
      return LLMROUTE_OK;
    case LLMROUTE_ON_DISALLOWED_USE_RULES:
      options->options.standard_header.on_disallowed = llmroute::OnDisallowed::kUseRules;
      return LLMROUTE_OK;
  }
  return LLMROUTE_ERROR_INVALID_ARGUMENT;
}

int32_t llmroute_allowed_backends_from_name(const char* name, size_t name_len, int32_t* out) {
  if (out == nullptr || (name == nullptr && name_len != 0)) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  switch (llmroute::AllowedBackendsFromName({name == nullptr ? kEmpty : name, name_len})
              .value_or(llmroute::AllowedBackends::kExplicit)) {
    case llmroute::AllowedBackends::kRulesOnly:
      *out = LLMROUTE_ALLOWED_RULES_ONLY;
      return LLMROUTE_OK;
    case llmroute::AllowedBackends::kSameNamespace:
      *out = LLMROUTE_ALLOWED_SAME_NAMESPACE;
      return LLMROUTE_OK;
    case llmroute::AllowedBackends::kExplicit:  // not a compile option
      break;
  }
  return LLMROUTE_ERROR_INVALID_ARGUMENT;
}

int32_t llmroute_on_disallowed_from_name(const char* name, size_t name_len, int32_t* out) {
  if (out == nullptr || (name == nullptr && name_len != 0)) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  const std::optional<llmroute::OnDisallowed> action =
      llmroute::OnDisallowedFromName({name == nullptr ? kEmpty : name, name_len});
  if (!action.has_value()) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  *out = *action == llmroute::OnDisallowed::kReject ? LLMROUTE_ON_DISALLOWED_REJECT
                                                     : LLMROUTE_ON_DISALLOWED_USE_RULES;
  return LLMROUTE_OK;
}

int32_t llmroute_compile_options_set_max_body_size(llmroute_compile_options_t* options,
                                                   size_t max_body_size) {
  if (options == nullptr || max_body_size == 0 || max_body_size > llmroute::kMaxBodySizeLimit) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  options->options.max_body_size = max_body_size;
  return LLMROUTE_OK;
}

int32_t llmroute_table_compile_text(const llmroute_compile_options_t* options, const char* text,
                                    size_t text_len, const char* file_name, size_t file_name_len,
                                    llmroute_table_t** table, char** errptr) {
  if (table == nullptr || (text == nullptr && text_len != 0) ||
      (file_name == nullptr && file_name_len != 0)) {
    return Fail(errptr, LLMROUTE_ERROR_INVALID_ARGUMENT, "invalid argument");
  }
  return Guarded(errptr, [&] {
    const std::string_view source = text == nullptr ? "" : std::string_view(text, text_len);
    const std::string_view name =
        file_name == nullptr ? "" : std::string_view(file_name, file_name_len);
    return CompileLoaded(llmroute::LoadConfigText(source, name), options, table, errptr);
  });
}

int32_t llmroute_table_compile_file(const llmroute_compile_options_t* options, const char* path,
                                    size_t path_len, llmroute_table_t** table, char** errptr) {
  const llmroute_string_t one = {path, path_len};
  return llmroute_table_compile_files(options, &one, 1, table, errptr);
}

int32_t llmroute_table_compile_files(const llmroute_compile_options_t* options,
                                     const llmroute_string_t* paths, size_t path_count,
                                     llmroute_table_t** table, char** errptr) {
  if (table == nullptr || (paths == nullptr && path_count != 0)) {
    return Fail(errptr, LLMROUTE_ERROR_INVALID_ARGUMENT, "invalid argument");
  }
  for (size_t i = 0; i < path_count; ++i) {
    if (paths[i].data == nullptr) {
      return Fail(errptr, LLMROUTE_ERROR_INVALID_ARGUMENT, "a file path is NULL");
    }
    // The system would read such a path only up to the NUL: another file than the one named.
    const void* nul = std::memchr(paths[i].data, '\0', paths[i].len);
    if (nul != nullptr) {
      const std::size_t offset = static_cast<const char*>(nul) - paths[i].data;
      return Guarded(errptr, [&] {
        return Fail(errptr, LLMROUTE_ERROR_INVALID_ARGUMENT,
                    "file path " + std::to_string(i) + " has a NUL byte at offset " +
                        std::to_string(offset) + " (after \"" +
                        std::string(paths[i].data, offset) + "\")");
      });
    }
  }
  return Guarded(errptr, [&] {
    std::vector<std::string> files;
    files.reserve(path_count);
    for (size_t i = 0; i < path_count; ++i) files.emplace_back(paths[i].data, paths[i].len);
    return CompileLoaded(llmroute::LoadConfigFiles(files), options, table, errptr);
  });
}

llmroute_table_t* llmroute_table_ref(llmroute_table_t* table) {
  if (table != nullptr) table->references.fetch_add(1, std::memory_order_relaxed);
  return table;
}

void llmroute_table_free(llmroute_table_t* table) {
  if (table == nullptr) return;
  if (table->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete table;
}

int32_t llmroute_resolve(const llmroute_table_t* table, const llmroute_request_t* request,
                         llmroute_decision_t* out) {
  if (out == nullptr || out->struct_size < kDecisionSizeV1) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  if (const int32_t code = CheckRequest(table, request); code != LLMROUTE_OK) return code;
  return Guarded(nullptr, [&] {
    WithRequest(*request, [&](const llmroute::Request& r) { WriteDecision(table->table->Resolve(r), out); });
    return LLMROUTE_OK;
  });
}

int32_t llmroute_explain(const llmroute_table_t* table, const llmroute_request_t* request,
                         char** text, size_t* len, char** errptr) {
  if (text == nullptr || len == nullptr) {
    return Fail(errptr, LLMROUTE_ERROR_INVALID_ARGUMENT, "invalid argument");
  }
  if (const int32_t code = CheckRequest(table, request); code != LLMROUTE_OK) {
    return Fail(errptr, code, "invalid argument");
  }
  return Guarded(errptr, [&] {
    std::string report;
    WithRequest(*request, [&](const llmroute::Request& r) { report = llmroute::Explain(*table->table, r); });
    char* copy = static_cast<char*>(std::malloc(report.size() + 1));
    if (copy == nullptr) return Fail(errptr, LLMROUTE_ERROR_OUT_OF_MEMORY, "out of memory");
    std::memcpy(copy, report.data(), report.size());
    copy[report.size()] = '\0';
    *text = copy;
    *len = report.size();
    return int32_t{LLMROUTE_OK};
  });
}

int32_t llmroute_decision_fallback(const llmroute_decision_t* decision, size_t index,
                                   llmroute_name_t* out) {
  if (decision == nullptr || out == nullptr || index >= decision->fallback_count ||
      decision->fallbacks == nullptr) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  const llmroute::NamespacedName& name =
      static_cast<const llmroute::Fallback*>(decision->fallbacks)[index].backend;
  *out = {Out(name.namespace_), Out(name.name)};
  return LLMROUTE_OK;
}


int32_t llmroute_decision_header_set(const llmroute_decision_t* decision, size_t index,
                                     llmroute_string_t* name, llmroute_string_t* value) {
  const auto* header = MutationAt(decision, &llmroute::BackendMutations::header_set, index);
  if (header == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  if (name != nullptr) *name = Out(header->name);
  if (value != nullptr) *value = Out(header->value);
  return LLMROUTE_OK;
}

int32_t llmroute_decision_header_remove(const llmroute_decision_t* decision, size_t index,
                                        llmroute_string_t* name) {
  const auto* removed = MutationAt(decision, &llmroute::BackendMutations::header_remove, index);
  if (removed == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  if (name != nullptr) *name = Out(*removed);
  return LLMROUTE_OK;
}

int32_t llmroute_decision_body_set(const llmroute_decision_t* decision, size_t index,
                                   llmroute_string_t* path, llmroute_string_t* value) {
  const auto* field = MutationAt(decision, &llmroute::BackendMutations::body_set, index);
  if (field == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  if (path != nullptr) *path = Out(field->path);
  if (value != nullptr) *value = Out(field->value);
  return LLMROUTE_OK;
}

int32_t llmroute_decision_body_remove(const llmroute_decision_t* decision, size_t index,
                                      llmroute_string_t* path) {
  const auto* removed = MutationAt(decision, &llmroute::BackendMutations::body_remove, index);
  if (removed == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  if (path != nullptr) *path = Out(*removed);
  return LLMROUTE_OK;
}

const char* llmroute_backend_kind_name(int32_t kind) {
  switch (kind) {
    case LLMROUTE_BACKEND_KIND_BACKEND: return "Backend";
    case LLMROUTE_BACKEND_KIND_INFERENCE_POOL: return "InferencePool";
  }
  return "unknown";
}

int32_t llmroute_table_model_info(const llmroute_table_t* table, size_t index,
                                  llmroute_model_t* out) {
  if (table == nullptr || out == nullptr || index >= table->table->models().size()) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  WriteModel(table->table->models()[index], out);
  return LLMROUTE_OK;
}

size_t llmroute_table_host_model_count(const llmroute_table_t* table, const char* host,
                                       size_t host_len) {
  return HostModels(table, host, host_len).size();
}

int32_t llmroute_table_host_model(const llmroute_table_t* table, const char* host,
                                  size_t host_len, size_t index, llmroute_model_t* out) {
  const std::span<const llmroute::ModelEntry> models = HostModels(table, host, host_len);
  if (table == nullptr || out == nullptr || index >= models.size()) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  WriteModel(models[index], out);
  return LLMROUTE_OK;
}

int32_t llmroute_decision_fallback_override(const llmroute_decision_t* decision, size_t index,
                                            llmroute_string_t* model_override) {
  if (decision == nullptr || model_override == nullptr || index >= decision->fallback_count ||
      decision->fallbacks == nullptr) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  *model_override =
      OutOptional(static_cast<const llmroute::Fallback*>(decision->fallbacks)[index].model_override);
  return LLMROUTE_OK;
}

int32_t llmroute_next_attempt(const llmroute_decision_t* decision, uint32_t attempts_made,
                              int32_t last_status, llmroute_name_t* backend,
                              llmroute_string_t* model_override) {
  if (decision == nullptr || backend == nullptr || model_override == nullptr ||
      decision->struct_size < kDecisionSizeWithRetry ||
      (decision->fallback_count != 0 && decision->fallbacks == nullptr) ||
      (decision->retry_code_count != 0 && decision->retry_codes == nullptr)) {
    return -LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  // The C++ rule over the C fields: the same answer by construction.
  const llmroute::RetryPolicy retry{{decision->retry_codes, decision->retry_code_count},
                                    decision->retry_attempts,
                                    decision->retry_backoff_ms};
  llmroute::Decision d;
  d.fallbacks = {static_cast<const llmroute::Fallback*>(decision->fallbacks), decision->fallback_count};
  d.retry = decision->has_retry != 0 ? &retry : nullptr;
  const llmroute::Fallback* next = llmroute::NextAttempt(d, attempts_made, last_status);
  if (next == nullptr) return 0;
  *backend = {Out(next->backend.namespace_), Out(next->backend.name)};
  *model_override = OutOptional(next->model_override);
  return 1;
}

size_t llmroute_table_model_count(const llmroute_table_t* table) {
  return table == nullptr ? 0 : table->table->models().size();
}

int32_t llmroute_table_model(const llmroute_table_t* table, size_t index,
                             llmroute_string_t* model, llmroute_name_t* route) {
  if (table == nullptr || index >= table->table->models().size()) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  const llmroute::ModelEntry& entry = table->table->models()[index];
  if (model != nullptr) *model = Out(entry.model);
  if (route != nullptr) *route = {Out(entry.route.namespace_), Out(entry.route.name)};
  return LLMROUTE_OK;
}

size_t llmroute_table_warning_count(const llmroute_table_t* table) {
  return table == nullptr ? 0 : table->warnings.size();
}

int32_t llmroute_table_warning(const llmroute_table_t* table, size_t index,
                               llmroute_string_t* message) {
  if (table == nullptr || message == nullptr || index >= table->warnings.size()) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  *message = Out(table->warnings[index]);
  return LLMROUTE_OK;
}

int32_t llmroute_table_model_header(const llmroute_table_t* table, llmroute_string_t* name) {
  if (table == nullptr || name == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  *name = Out(table->table->model_header());
  return LLMROUTE_OK;
}

size_t llmroute_table_owned_header_count(const llmroute_table_t* table) {
  return table == nullptr ? 0 : table->table->owned_headers().size();
}

int32_t llmroute_table_owned_header(const llmroute_table_t* table, size_t index,
                                    llmroute_string_t* name) {
  if (table == nullptr || name == nullptr || index >= table->table->owned_headers().size()) {
    return LLMROUTE_ERROR_INVALID_ARGUMENT;
  }
  *name = Out(table->table->owned_headers()[index]);
  return LLMROUTE_OK;
}

int32_t llmroute_decision_upstream_model(const llmroute_decision_t* decision,
                                         llmroute_string_t* model) {
  if (decision == nullptr || model == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  *model = decision->model_override.data != nullptr ? decision->model_override : decision->model;
  return LLMROUTE_OK;
}

llmroute_holder_t* llmroute_holder_create(llmroute_table_t* initial) {
  if (initial == nullptr) return nullptr;
  // The reference is taken only once the holder's memory is allocated.
  return new (std::nothrow) llmroute_holder_t(TableReference::Share(initial));
}

void llmroute_holder_free(llmroute_holder_t* holder) { delete holder; }

int32_t llmroute_holder_swap(llmroute_holder_t* holder, llmroute_table_t* next) {
  if (holder == nullptr || next == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  holder->publication.Swap(TableReference::Share(next));
  return LLMROUTE_OK;
}

llmroute_table_t* llmroute_holder_acquire(const llmroute_holder_t* holder) {
  if (holder == nullptr) return nullptr;
  return holder->publication.Snapshot().release();
}

uint64_t llmroute_holder_generation(const llmroute_holder_t* holder) {
  return holder == nullptr ? 0 : holder->publication.generation();
}

namespace {

int32_t HealthCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return LLMROUTE_OK;
    case absl::StatusCode::kInvalidArgument: return LLMROUTE_ERROR_INVALID_ARGUMENT;
    case absl::StatusCode::kResourceExhausted: return LLMROUTE_ERROR_OUT_OF_MEMORY;
    default: return LLMROUTE_ERROR_INTERNAL;
  }
}

llmroute_health_t* NewHealth(llmroute::HealthView::Clock clock) {
  try {
    return new llmroute_health_t(std::move(clock));
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

llmroute_health_t* llmroute_health_create(void) {
  try {
    return new llmroute_health_t();
  } catch (...) {
    return nullptr;
  }
}

llmroute_health_t* llmroute_health_create_with_clock(llmroute_clock_fn now_ms, void* context) {
  if (now_ms == nullptr) return nullptr;
  return NewHealth([now_ms, context] { return now_ms(context); });
}

llmroute_health_t* llmroute_health_create_manual_clock(int64_t now_ms) {
  // The view and its clock live in one object: the clock reads the object's own field.
  llmroute_health_t* health = nullptr;
  std::atomic<int64_t>* cell = new (std::nothrow) std::atomic<int64_t>(now_ms);
  if (cell == nullptr) return nullptr;
  health = NewHealth([cell] { return cell->load(std::memory_order_relaxed); });
  if (health == nullptr) {
    delete cell;
    return nullptr;
  }
  health->manual = true;
  health->manual_cell = cell;
  return health;
}

int32_t llmroute_health_set_now(llmroute_health_t* health, int64_t now_ms) {
  if (health == nullptr || !health->manual) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  health->manual_cell->store(now_ms, std::memory_order_relaxed);
  return LLMROUTE_OK;
}

void llmroute_health_free(llmroute_health_t* health) {
  if (health == nullptr) return;
  std::atomic<int64_t>* cell = health->manual_cell;
  delete health;
  delete cell;
}

int32_t llmroute_health_mark_down(llmroute_health_t* health, const char* ns, size_t ns_len,
                                  const char* name, size_t name_len) {
  if (health == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  return Guarded(nullptr, [&] {
    return HealthCode(health->view.MarkDown(In({ns, ns_len}), In({name, name_len})));
  });
}

int32_t llmroute_health_mark_down_for(llmroute_health_t* health, const char* ns, size_t ns_len,
                                      const char* name, size_t name_len, int64_t milliseconds) {
  if (health == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  return Guarded(nullptr, [&] {
    return HealthCode(
        health->view.MarkDownFor(In({ns, ns_len}), In({name, name_len}), milliseconds));
  });
}

int32_t llmroute_health_mark_up(llmroute_health_t* health, const char* ns, size_t ns_len,
                                const char* name, size_t name_len) {
  if (health == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  return Guarded(nullptr, [&] {
    health->view.MarkUp(In({ns, ns_len}), In({name, name_len}));
    return LLMROUTE_OK;
  });
}

int32_t llmroute_health_state(const llmroute_health_t* health, const char* ns, size_t ns_len,
                              const char* name, size_t name_len, int32_t* down,
                              int64_t* down_until_ms) {
  if (health == nullptr) return LLMROUTE_ERROR_INVALID_ARGUMENT;
  return Guarded(nullptr, [&] {
    const llmroute::BackendHealth state = health->view.State(In({ns, ns_len}), In({name, name_len}));
    if (down != nullptr) *down = state.down ? 1 : 0;
    if (down_until_ms != nullptr) *down_until_ms = state.down_until_ms.value_or(-1);
    return LLMROUTE_OK;
  });
}

}  // extern "C"
