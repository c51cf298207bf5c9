// The C ABI (llmroute/c.h), called only through its C declarations: errors and their
// messages, every decision status, the standard header, fixed entropy, models, the holder
// under concurrent readers, and the struct-size growth rule. Also run under
// AddressSanitizer and UBSan (scripts/test.sh, build-asan/).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/c.h"
#include "struct_growth.h"

extern "C" {
size_t c99_request_size(void);
size_t c99_decision_size(void);
int c99_route_with_standard_header(const llmroute_table_t* table, const char* backend, char* out,
                                   size_t out_size);
}

namespace {

constexpr char kConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team}
spec:
  rules:
    - name: by-model
      matches:
        - headers: [{name: x-ai-eg-model, value: gpt-4o}]
      backendRefs:
        - {name: openai, weight: 3, modelNameOverride: gpt-4o-2024}
        - {name: azure, weight: 1}
        - {name: backup, priority: 1}
    - matches:
        - headers: [{name: x-ai-eg-model, value: llama}]
      backendRefs:
        - {name: llama, weight: 0}
  standardRoutingHeader:
    enabled: true
)";

// A route without its own standardRoutingHeader section, for the compile options.
constexpr char kPlainConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: plain}
spec:
  rules:
    - matches:
        - headers: [{name: x-model, value: m1}]
      backendRefs: [{name: one}]
    - matches:
        - headers: [{name: x-model, value: m2}]
      backendRefs: [{name: two}]
)";

std::optional<std::string> Str(llmroute_string_t s) {
  if (s.data == nullptr) return std::nullopt;
  return std::string(s.data, s.len);
}

std::string Name(const llmroute_name_t& n) {
  if (n.name.data == nullptr) return "<none>";
  return *Str(n.ns) + "/" + *Str(n.name);
}

// A table reference released at the end of the scope.
struct TableRef {
  llmroute_table_t* table = nullptr;
  TableRef() = default;
  explicit TableRef(llmroute_table_t* t) : table(t) {}
  TableRef(TableRef&& other) noexcept : table(std::exchange(other.table, nullptr)) {}
  TableRef& operator=(TableRef&& other) noexcept {
    std::swap(table, other.table);
    return *this;
  }
  ~TableRef() { llmroute_table_free(table); }
  llmroute_table_t* get() const { return table; }
};

struct OptionsRef {
  llmroute_compile_options_t* options = llmroute_compile_options_create();
  ~OptionsRef() { llmroute_compile_options_free(options); }
};

TableRef MustCompile(const std::string& text,
                     const llmroute_compile_options_t* options = nullptr) {
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  const int32_t code = llmroute_table_compile_text(options, text.data(), text.size(), "test.yaml",
                                                   9, &table, &error);
  EXPECT_EQ(code, LLMROUTE_OK) << (error ? error : "");
  EXPECT_EQ(error, nullptr);
  llmroute_free(error);
  return TableRef(table);
}

// A request that owns its strings.
class Req {
 public:
  Req& Method(std::string m) { return Set(method_, std::move(m)); }
  Req& Host(std::string h) { return Set(host_, std::move(h)); }
  Req& Path(std::string p) { return Set(path_, std::move(p)); }
  Req& Body(std::string b) { return Set(body_, std::move(b)); }
  Req& Entropy(uint64_t e) {
    entropy_ = e;
    return *this;
  }
  Req& Header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  // The C view; valid while this object is alive and unchanged.
  const llmroute_request_t& View() {
    c_headers_.clear();
    for (const auto& [name, value] : headers_) {
      c_headers_.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
    }
    std::memset(&request_, 0, sizeof(request_));
    request_.struct_size = sizeof(request_);
    if (method_) request_.method = {method_->data(), method_->size()};
    if (host_) request_.host = {host_->data(), host_->size()};
    if (path_) request_.path = {path_->data(), path_->size()};
    if (body_) request_.body = {body_->data(), body_->size()};
    request_.headers = c_headers_.empty() ? nullptr : c_headers_.data();
    request_.header_count = c_headers_.size();
    if (entropy_) {
      request_.entropy = *entropy_;
      request_.has_entropy = 1;
    }
    return request_;
  }

 private:
  Req& Set(std::optional<std::string>& field, std::string value) {
    field = std::move(value);
    return *this;
  }
  std::optional<std::string> method_, host_, path_, body_;
  std::optional<uint64_t> entropy_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<llmroute_header_t> c_headers_;
  llmroute_request_t request_;
};

llmroute_decision_t EmptyDecision() {
  llmroute_decision_t d;
  std::memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  return d;
}

llmroute_decision_t MustResolve(const llmroute_table_t* table, Req& req) {
  llmroute_decision_t d = EmptyDecision();
  EXPECT_EQ(llmroute_resolve(table, &req.View(), &d), LLMROUTE_OK);
  return d;
}

std::vector<std::string> Fallbacks(const llmroute_decision_t& d) {
  std::vector<std::string> out;
  for (size_t i = 0; i < d.fallback_count; ++i) {
    llmroute_name_t name;
    EXPECT_EQ(llmroute_decision_fallback(&d, i, &name), LLMROUTE_OK);
    out.push_back(Name(name));
  }
  return out;
}

// The weighted draw of docs/routing.md#selection, written out again independently of the
// library.
uint64_t Draw(uint64_t entropy, uint64_t total) {
  uint64_t z = entropy + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z = z ^ (z >> 31);
  return static_cast<uint64_t>((static_cast<unsigned __int128>(z) * total) >> 64);
}

// The header's macros, the library's answers and the project's version (from the build)
// are one version.
TEST(CapiVersion, MacrosLibraryAndProjectAgree) {
  EXPECT_STREQ(LLMROUTE_VERSION_STRING, LLMROUTE_PROJECT_VERSION);
  EXPECT_EQ(std::to_string(LLMROUTE_VERSION_MAJOR) + "." + std::to_string(LLMROUTE_VERSION_MINOR) +
                "." + std::to_string(LLMROUTE_VERSION_PATCH),
            LLMROUTE_PROJECT_VERSION);
  EXPECT_STREQ(llmroute_version(), LLMROUTE_PROJECT_VERSION);
  EXPECT_EQ(llmroute_version_number(), LLMROUTE_VERSION_MAJOR * 10000 +
                                           LLMROUTE_VERSION_MINOR * 100 + LLMROUTE_VERSION_PATCH);
  EXPECT_EQ(llmroute_version_number(), LLMROUTE_VERSION_NUMBER);
}

TEST(CapiVersion, Names) {
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_OK), "ok");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_INVALID_ARGUMENT), "invalid_argument");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_CONFIG), "config");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_NOT_FOUND), "not_found");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_PERMISSION_DENIED), "permission_denied");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_IO), "io");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_OUT_OF_MEMORY), "out_of_memory");
  EXPECT_STREQ(llmroute_error_name(LLMROUTE_ERROR_INTERNAL), "internal");
  EXPECT_STREQ(llmroute_error_name(99), "unknown");
  EXPECT_STREQ(llmroute_status_name(LLMROUTE_STATUS_ROUTED), "routed");
  EXPECT_STREQ(llmroute_status_name(LLMROUTE_STATUS_NO_ROUTE), "no_route");
  EXPECT_STREQ(llmroute_status_name(LLMROUTE_STATUS_BACKEND_NOT_ALLOWED), "backend_not_allowed");
  EXPECT_STREQ(llmroute_status_name(LLMROUTE_STATUS_BAD_REQUEST), "bad_request");
  EXPECT_STREQ(llmroute_status_name(LLMROUTE_STATUS_NO_BACKEND), "no_backend");
  EXPECT_STREQ(llmroute_status_name(-1), "unknown");
  EXPECT_STREQ(llmroute_via_name(LLMROUTE_VIA_NONE), "");
  EXPECT_STREQ(llmroute_via_name(LLMROUTE_VIA_RULE), "rule");
  EXPECT_STREQ(llmroute_via_name(LLMROUTE_VIA_STANDARD_HEADER), "standard_header");
  EXPECT_STREQ(llmroute_via_name(7), "unknown");
  EXPECT_EQ(llmroute_http_status(LLMROUTE_STATUS_ROUTED), 200);
  EXPECT_EQ(llmroute_http_status(LLMROUTE_STATUS_NO_ROUTE), 404);
  EXPECT_EQ(llmroute_http_status(LLMROUTE_STATUS_BACKEND_NOT_ALLOWED), 400);
  EXPECT_EQ(llmroute_http_status(LLMROUTE_STATUS_BAD_REQUEST), 400);
  EXPECT_EQ(llmroute_http_status(LLMROUTE_STATUS_NO_BACKEND), 500);
  EXPECT_EQ(llmroute_http_status(5), 0);
}

TEST(CapiErrors, CompileErrorIsTheCliLineWithLineColumnAndFieldPath) {
  const std::string bad = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat}
spec:
  rules:
    - matches:
        - headers:
            - {type: RegularExpression, name: x-ai-eg-model, value: "gpt-(4"}
      backendRefs: [{name: openai}]
)";
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(nullptr, bad.data(), bad.size(), "bad.yaml", 8, &table,
                                        &error),
            LLMROUTE_ERROR_CONFIG);
  EXPECT_EQ(table, nullptr);
  ASSERT_NE(error, nullptr);
  EXPECT_STREQ(error,
               "bad.yaml:8:69: error: spec.rules[0].matches[0].headers[0].value: invalid "
               "regular expression: missing ): gpt-(4");
  // A second failure replaces (and frees) the first message.
  EXPECT_EQ(llmroute_table_compile_text(nullptr, "kind: [", 7, nullptr, 0, &table, &error),
            LLMROUTE_ERROR_CONFIG);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(std::string(error).rfind("1:", 0), 0u) << error;  // no file name: "line:col: ..."
  llmroute_free(error);
}

TEST(CapiErrors, SuccessLeavesErrptrAlone) {
  char* error = static_cast<char*>(std::malloc(4));
  std::strcpy(error, "old");
  llmroute_table_t* table = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(nullptr, kConfig, std::strlen(kConfig), nullptr, 0,
                                        &table, &error),
            LLMROUTE_OK);
  EXPECT_STREQ(error, "old");
  llmroute_free(error);
  llmroute_table_free(table);
}

TEST(CapiErrors, NullErrptrIsAllowed) {
  llmroute_table_t* table = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(nullptr, "kind: [", 7, nullptr, 0, &table, nullptr),
            LLMROUTE_ERROR_CONFIG);
  EXPECT_EQ(table, nullptr);
}

TEST(CapiErrors, MissingFileIsNotFoundAndNamesThePath) {
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  const std::string path = "/nonexistent/routes.yaml";
  EXPECT_EQ(llmroute_table_compile_file(nullptr, path.data(), path.size(), &table, &error),
            LLMROUTE_ERROR_NOT_FOUND);
  ASSERT_NE(error, nullptr);
  EXPECT_STREQ(error, "/nonexistent/routes.yaml: error: cannot read: No such file or directory");
  llmroute_free(error);
}

TEST(CapiErrors, DirectoryIsAnIoError) {
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  EXPECT_EQ(llmroute_table_compile_file(nullptr, "/", 1, &table, &error), LLMROUTE_ERROR_IO);
  ASSERT_NE(error, nullptr);
  EXPECT_STREQ(error, "/: error: cannot read: Is a directory");
  llmroute_free(error);
}

// Cut at the NUL, the path names a valid configuration: it must be refused, not cut.
TEST(CapiErrors, PathWithNulIsRefused) {
  const std::string dir = LLMROUTE_CAPI_TEST_DATA_DIR;
  const std::string good = dir + "/capi_routes.yaml";
  const std::string bad = good + std::string("\0/etc/x", 7);
  const std::string backends = dir + "/capi_backends.yaml";
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  EXPECT_EQ(llmroute_table_compile_file(nullptr, bad.data(), bad.size(), &table, &error),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(table, nullptr);
  ASSERT_NE(error, nullptr);
  EXPECT_STREQ(error, ("file path 0 has a NUL byte at offset " + std::to_string(good.size()) +
                       " (after \"" + good + "\")").c_str());
  const llmroute_string_t paths[] = {{backends.data(), backends.size()}, {bad.data(), bad.size()}};
  EXPECT_EQ(llmroute_table_compile_files(nullptr, paths, 2, &table, &error),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(table, nullptr);
  EXPECT_NE(std::string(error).find("file path 1 has a NUL byte"), std::string::npos) << error;
  llmroute_free(error);
}

TEST(CapiErrors, FilesAreReadAndMergedInOrder) {
  const std::string dir = LLMROUTE_CAPI_TEST_DATA_DIR;
  const std::string a = dir + "/capi_routes.yaml", b = dir + "/capi_backends.yaml";
  const llmroute_string_t paths[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  ASSERT_EQ(llmroute_table_compile_files(nullptr, paths, 2, &table, &error), LLMROUTE_OK)
      << error;
  TableRef ref(table);
  Req req;
  req.Header("x-ai-gateway-backend", "declared-only");
  EXPECT_EQ(MustResolve(table, req).status, LLMROUTE_STATUS_ROUTED);
  // Without the second file the allowlist names a backend nobody declares.
  EXPECT_EQ(llmroute_table_compile_files(nullptr, paths, 1, &table, &error), LLMROUTE_ERROR_CONFIG);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("capi_routes.yaml:"), std::string::npos) << error;
  EXPECT_NE(std::string(error).find("spec.standardRoutingHeader.backends[0]"), std::string::npos)
      << error;
  llmroute_free(error);
}

TEST(CapiErrors, InvalidArguments) {
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(nullptr, "x", 1, nullptr, 0, nullptr, &error),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  llmroute_free(error);
  error = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(nullptr, nullptr, 3, nullptr, 0, &table, nullptr),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_table_compile_files(nullptr, nullptr, 1, &table, nullptr),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  // Empty text is a valid, empty configuration: every request is no_route.
  ASSERT_EQ(llmroute_table_compile_text(nullptr, nullptr, 0, nullptr, 0, &table, nullptr),
            LLMROUTE_OK);
  TableRef empty(table);
  Req req;
  EXPECT_EQ(MustResolve(table, req).status, LLMROUTE_STATUS_NO_ROUTE);

  llmroute_decision_t d = EmptyDecision();
  EXPECT_EQ(llmroute_resolve(nullptr, &req.View(), &d), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_resolve(table, nullptr, &d), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_resolve(table, &req.View(), nullptr), LLMROUTE_ERROR_INVALID_ARGUMENT);
  llmroute_request_t r = req.View();
  r.header_count = 2;  // headers is NULL
  EXPECT_EQ(llmroute_resolve(table, &r, &d), LLMROUTE_ERROR_INVALID_ARGUMENT);
  r = req.View();
  r.reserved = 1;
  EXPECT_EQ(llmroute_resolve(table, &r, &d), LLMROUTE_ERROR_INVALID_ARGUMENT);

  llmroute_name_t name;
  EXPECT_EQ(llmroute_decision_fallback(nullptr, 0, &name), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_table_model(nullptr, 0, nullptr, nullptr), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_table_model_count(nullptr), 0u);
  EXPECT_EQ(llmroute_table_warning_count(nullptr), 0u);
  EXPECT_EQ(llmroute_holder_create(nullptr), nullptr);
  EXPECT_EQ(llmroute_holder_acquire(nullptr), nullptr);
  EXPECT_EQ(llmroute_holder_swap(nullptr, table), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_holder_generation(nullptr), 0u);
  EXPECT_EQ(llmroute_table_ref(nullptr), nullptr);
  // Every free takes NULL.
  llmroute_table_free(nullptr);
  llmroute_holder_free(nullptr);
  llmroute_compile_options_free(nullptr);
  llmroute_free(nullptr);
}

TEST(CapiResolve, RoutedByRuleReportsEveryField) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Method("POST").Path("/v1/chat/completions").Header("X-AI-EG-Model", "gpt-4o").Entropy(0);
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.struct_size, sizeof(llmroute_decision_t));
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  EXPECT_EQ(d.http_status, 200);
  EXPECT_EQ(d.via, LLMROUTE_VIA_RULE);
  EXPECT_EQ(Name(d.backend), "team/azure");  // Draw(0, 4) == 3: past openai's weight 3
  EXPECT_EQ(Name(d.route), "team/chat");
  EXPECT_EQ(d.rule, 0);
  EXPECT_EQ(Str(d.rule_name), "by-model");
  EXPECT_EQ(d.match, 0);
  EXPECT_EQ(Str(d.model), "gpt-4o");
  EXPECT_EQ(Str(d.model_override), std::nullopt);
  EXPECT_EQ(Str(d.reason), std::nullopt);
  EXPECT_EQ(Fallbacks(d), (std::vector<std::string>{"team/openai", "team/backup"}));
  llmroute_name_t name;
  EXPECT_EQ(llmroute_decision_fallback(&d, 2, &name), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiResolve, FixedEntropyFollowsTheDocumentedFormula) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  int openai = 0;
  for (uint64_t entropy : {0ULL, 1ULL, 2ULL, 3ULL, 7ULL, 42ULL, 1000ULL, 0x8000000000000000ULL,
                           0xFFFFFFFFFFFFFFFFULL}) {
    Req req;
    req.Header("x-ai-eg-model", "gpt-4o").Entropy(entropy);
    const llmroute_decision_t d = MustResolve(table.get(), req);
    const bool expect_openai = Draw(entropy, 4) < 3;
    openai += expect_openai;
    EXPECT_EQ(Name(d.backend), expect_openai ? "team/openai" : "team/azure") << entropy;
    EXPECT_EQ(Str(d.model_override),
              expect_openai ? std::optional<std::string>("gpt-4o-2024") : std::nullopt);
    EXPECT_EQ(Fallbacks(d), expect_openai
                                ? (std::vector<std::string>{"team/azure", "team/backup"})
                                : (std::vector<std::string>{"team/openai", "team/backup"}));
  }
  EXPECT_GT(openai, 0);  // both branches were exercised
  EXPECT_LT(openai, 9);
}

TEST(CapiResolve, StandardHeaderRoutesToAnAllowedBackend) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o").Header("x-ai-gateway-backend", " team/backup ");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  EXPECT_EQ(d.via, LLMROUTE_VIA_STANDARD_HEADER);
  EXPECT_EQ(Name(d.backend), "team/backup");
  EXPECT_EQ(Name(d.route), "team/chat");
  EXPECT_EQ(d.rule, -1);
  EXPECT_EQ(d.match, -1);
  EXPECT_EQ(Str(d.rule_name), std::nullopt);
  EXPECT_EQ(Str(d.model), "gpt-4o");
  EXPECT_EQ(Str(d.model_override), std::nullopt);
  EXPECT_EQ(d.fallback_count, 0u);
  EXPECT_EQ(d.fallbacks, nullptr);
}

TEST(CapiResolve, StandardHeaderFromC99Caller) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  EXPECT_EQ(c99_request_size(), sizeof(llmroute_request_t));
  EXPECT_EQ(c99_decision_size(), sizeof(llmroute_decision_t));
  char name[16];
  EXPECT_EQ(c99_route_with_standard_header(table.get(), "llama", name, sizeof(name)),
            LLMROUTE_STATUS_ROUTED);
  EXPECT_STREQ(name, "llama");
  EXPECT_EQ(c99_route_with_standard_header(table.get(), "ghost", name, sizeof(name)),
            LLMROUTE_STATUS_BACKEND_NOT_ALLOWED);
  EXPECT_STREQ(name, "");
}

TEST(CapiResolve, BackendNotAllowedNamesTheRouteAndAReason) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-gateway-backend", "ghost");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_BACKEND_NOT_ALLOWED);
  EXPECT_EQ(d.http_status, 400);
  EXPECT_EQ(d.via, LLMROUTE_VIA_STANDARD_HEADER);
  EXPECT_EQ(Name(d.backend), "<none>");
  EXPECT_EQ(Name(d.route), "team/chat");
  EXPECT_EQ(Str(d.reason),
            "the x-ai-gateway-backend header names a backend this route does not allow");
  EXPECT_EQ(Str(d.model), std::nullopt);
}

TEST(CapiResolve, ConflictingStandardHeaderIsBadRequest) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-gateway-backend", "openai").Header("x-ai-gateway-backend", "azure");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_BAD_REQUEST);
  EXPECT_EQ(d.http_status, 400);
  EXPECT_EQ(d.via, LLMROUTE_VIA_NONE);
  EXPECT_EQ(Name(d.route), "<none>");
  EXPECT_NE(Str(d.reason), std::nullopt);
}

TEST(CapiResolve, BodyModelReplacesTheHeader) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Method("POST").Header("x-ai-eg-model", "llama").Body(R"({"model": "gpt-4o", "n": 1})");
  llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  EXPECT_EQ(Str(d.model), "gpt-4o");
  EXPECT_EQ(d.rule, 0);

  Req escaped;
  escaped.Body(R"({"\u006dodel": "gpt-4\u006f"})");
  d = MustResolve(table.get(), escaped);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  EXPECT_EQ(Str(d.model), "gpt-4o");

  Req bad;
  bad.Body("[1, 2]");
  d = MustResolve(table.get(), bad);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_BAD_REQUEST);
  EXPECT_EQ(Str(d.model), std::nullopt);
  EXPECT_NE(Str(d.reason), std::nullopt);

  Req empty_body;  // present but empty: not a JSON object
  empty_body.Body("");
  EXPECT_EQ(MustResolve(table.get(), empty_body).status, LLMROUTE_STATUS_BAD_REQUEST);
}

TEST(CapiResolve, BodyParsedInPlaceWithPadding) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  std::string buffer = R"({"model": "gpt-4o"})";
  const size_t body_len = buffer.size();
  buffer.append(64, '\0');
  Req req;
  llmroute_request_t r = req.View();
  r.body = {buffer.data(), body_len};
  r.body_padding = 64;
  llmroute_decision_t d = EmptyDecision();
  ASSERT_EQ(llmroute_resolve(table.get(), &r, &d), LLMROUTE_OK);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  ASSERT_NE(d.model.data, nullptr);
  EXPECT_EQ(Str(d.model), "gpt-4o");
  // The model points into the caller's body.
  EXPECT_GE(d.model.data, buffer.data());
  EXPECT_LT(d.model.data, buffer.data() + body_len);
}

TEST(CapiResolve, NoRouteAndEmptyModel) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_NO_ROUTE);
  EXPECT_EQ(d.http_status, 404);
  EXPECT_EQ(d.via, LLMROUTE_VIA_NONE);
  EXPECT_EQ(Name(d.route), "<none>");
  EXPECT_EQ(d.rule, -1);
  EXPECT_EQ(Str(d.reason), "no rule matched the request");
  // Present but empty: not NULL.
  ASSERT_NE(d.model.data, nullptr);
  EXPECT_EQ(d.model.len, 0u);
}

TEST(CapiResolve, NoBackendKeepsRouteRuleAndMatch) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "llama");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_NO_BACKEND);
  EXPECT_EQ(d.http_status, 500);
  EXPECT_EQ(Name(d.route), "team/chat");
  EXPECT_EQ(d.rule, 1);
  EXPECT_EQ(Str(d.rule_name), std::nullopt);
  EXPECT_EQ(d.match, 0);
  EXPECT_EQ(Name(d.backend), "<none>");
  EXPECT_EQ(Str(d.reason), "the matched rule has no backend with a positive weight");
}

TEST(CapiResolve, MethodHostAndPathDefaults) {
  TableRef table = MustCompile(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  hostnames: [api.example.com]
  rules:
    - matches: [{method: GET, path: {type: Exact, value: /}}]
      backendRefs: [{name: root}]
)");
  ASSERT_NE(table.get(), nullptr);
  Req defaults;  // method NULL: GET; path NULL: "/"; host NULL: no host
  EXPECT_EQ(MustResolve(table.get(), defaults).status, LLMROUTE_STATUS_NO_ROUTE);
  Req with_host;
  with_host.Host("API.example.com:8443");
  const llmroute_decision_t d = MustResolve(table.get(), with_host);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  EXPECT_EQ(Name(d.backend), "default/root");
  Req post;
  post.Host("api.example.com").Method("POST");
  EXPECT_EQ(MustResolve(table.get(), post).status, LLMROUTE_STATUS_NO_ROUTE);
}

TEST(CapiResolve, ManyHeadersBeyondTheStackBuffer) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  for (int round = 0; round < 2; ++round) {
    Req req;
    for (int i = 0; i < 200; ++i) req.Header("x-filler-" + std::to_string(i), "v");
    req.Header("x-ai-eg-model", "gpt-4o").Entropy(0);
    const llmroute_decision_t d = MustResolve(table.get(), req);
    EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
    EXPECT_EQ(Str(d.model), "gpt-4o");
  }
}

TEST(CapiOptions, ModelHeaderAndStandardHeaderDefault) {
  OptionsRef options;
  ASSERT_NE(options.options, nullptr);
  // Without options, the plain route ignores the standard header.
  {
    TableRef table = MustCompile(kPlainConfig);
    ASSERT_NE(table.get(), nullptr);
    Req req;
    req.Header("x-ai-gateway-backend", "two");
    EXPECT_EQ(MustResolve(table.get(), req).status, LLMROUTE_STATUS_NO_ROUTE);
  }
  ASSERT_EQ(llmroute_compile_options_set_model_header(options.options, "X-Model", 7), LLMROUTE_OK);
  ASSERT_EQ(llmroute_compile_options_set_standard_header(options.options, 1), LLMROUTE_OK);
  ASSERT_EQ(llmroute_compile_options_set_standard_header_name(options.options, "x-pick", 6),
            LLMROUTE_OK);
  ASSERT_EQ(llmroute_compile_options_set_allowed_backends(options.options,
                                                          LLMROUTE_ALLOWED_RULES_ONLY),
            LLMROUTE_OK);
  ASSERT_EQ(llmroute_compile_options_set_on_disallowed(options.options,
                                                       LLMROUTE_ON_DISALLOWED_USE_RULES),
            LLMROUTE_OK);
  TableRef table = MustCompile(kPlainConfig, options.options);
  ASSERT_NE(table.get(), nullptr);
  llmroute_string_t header;
  ASSERT_EQ(llmroute_table_model_header(table.get(), &header), LLMROUTE_OK);
  EXPECT_EQ(Str(header), "x-model");

  Req picked;
  picked.Header("x-model", "m1").Header("X-Pick", "two");
  llmroute_decision_t d = MustResolve(table.get(), picked);
  EXPECT_EQ(d.via, LLMROUTE_VIA_STANDARD_HEADER);
  EXPECT_EQ(Name(d.backend), "default/two");
  EXPECT_EQ(Str(d.model), "m1");

  Req refused;  // UseRules: a disallowed name falls through to the rules
  refused.Header("x-model", "m1").Header("x-pick", "ghost");
  d = MustResolve(table.get(), refused);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
  EXPECT_EQ(d.via, LLMROUTE_VIA_RULE);
  EXPECT_EQ(Name(d.backend), "default/one");

  ASSERT_EQ(llmroute_compile_options_set_on_disallowed(options.options,
                                                       LLMROUTE_ON_DISALLOWED_REJECT),
            LLMROUTE_OK);
  TableRef rejecting = MustCompile(kPlainConfig, options.options);
  ASSERT_NE(rejecting.get(), nullptr);
  EXPECT_EQ(MustResolve(rejecting.get(), refused).status, LLMROUTE_STATUS_BACKEND_NOT_ALLOWED);
}

TEST(CapiOptions, SameNamespacePolicy) {
  OptionsRef options;
  ASSERT_EQ(llmroute_compile_options_set_standard_header(options.options, 1), LLMROUTE_OK);
  ASSERT_EQ(llmroute_compile_options_set_allowed_backends(options.options,
                                                          LLMROUTE_ALLOWED_SAME_NAMESPACE),
            LLMROUTE_OK);
  TableRef table = MustCompile(std::string(kPlainConfig) + R"(---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: declared}
)",
                               options.options);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-gateway-backend", "declared");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.via, LLMROUTE_VIA_STANDARD_HEADER);
  EXPECT_EQ(Name(d.backend), "default/declared");
}

TEST(CapiOptions, PolicyNamesMapToTheirValues) {
  int32_t value = -1;
  EXPECT_EQ(llmroute_allowed_backends_from_name("RulesOnly", 9, &value), LLMROUTE_OK);
  EXPECT_EQ(value, LLMROUTE_ALLOWED_RULES_ONLY);
  EXPECT_EQ(llmroute_allowed_backends_from_name("SameNamespace", 13, &value), LLMROUTE_OK);
  EXPECT_EQ(value, LLMROUTE_ALLOWED_SAME_NAMESPACE);
  EXPECT_EQ(llmroute_on_disallowed_from_name("Reject", 6, &value), LLMROUTE_OK);
  EXPECT_EQ(value, LLMROUTE_ON_DISALLOWED_REJECT);
  EXPECT_EQ(llmroute_on_disallowed_from_name("UseRules", 8, &value), LLMROUTE_OK);
  EXPECT_EQ(value, LLMROUTE_ON_DISALLOWED_USE_RULES);
  // The length counts: "RejectX" cut at 6 is "Reject".
  EXPECT_EQ(llmroute_on_disallowed_from_name("RejectX", 6, &value), LLMROUTE_OK);
  EXPECT_EQ(value, LLMROUTE_ON_DISALLOWED_REJECT);
}

TEST(CapiOptions, UnknownPolicyNamesAreRejectedAndLeaveOutAlone) {
  int32_t value = 42;
  // Explicit needs a list of backends: no compile option spells it.
  EXPECT_EQ(llmroute_allowed_backends_from_name("Explicit", 8, &value), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_allowed_backends_from_name("rulesonly", 9, &value), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_allowed_backends_from_name(nullptr, 0, &value), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_allowed_backends_from_name(nullptr, 3, &value), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_on_disallowed_from_name("Reject\0", 7, &value), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_on_disallowed_from_name("reject", 6, &value), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(value, 42);
  EXPECT_EQ(llmroute_on_disallowed_from_name("Reject", 6, nullptr), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_allowed_backends_from_name("RulesOnly", 9, nullptr), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiOptions, BadValuesAreRejected) {
  OptionsRef options;
  EXPECT_EQ(llmroute_compile_options_set_allowed_backends(options.options, 2),
            LLMROUTE_ERROR_INVALID_ARGUMENT);  // Explicit has no list here
  EXPECT_EQ(llmroute_compile_options_set_on_disallowed(options.options, -1),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_compile_options_set_model_header(nullptr, "x", 1),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_compile_options_set_model_header(options.options, nullptr, 1),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  // A header name that is not an HTTP token fails at compile time, with a message.
  ASSERT_EQ(llmroute_compile_options_set_model_header(options.options, "bad header", 10),
            LLMROUTE_OK);
  llmroute_table_t* table = nullptr;
  char* error = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(options.options, kPlainConfig, std::strlen(kPlainConfig),
                                        nullptr, 0, &table, &error),
            LLMROUTE_ERROR_CONFIG);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("bad header"), std::string::npos) << error;
  llmroute_free(error);
}

TEST(CapiOptions, MaxBodySize) {
  llmroute_compile_options_t* options = llmroute_compile_options_create();
  ASSERT_NE(options, nullptr);
  EXPECT_EQ(llmroute_compile_options_set_max_body_size(options, 0),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_compile_options_set_max_body_size(nullptr, 10),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
  if (sizeof(size_t) > 4) {
    EXPECT_EQ(llmroute_compile_options_set_max_body_size(options, size_t{1} << 32),
              LLMROUTE_ERROR_INVALID_ARGUMENT);
  }
  ASSERT_EQ(llmroute_compile_options_set_max_body_size(options, 64), LLMROUTE_OK);
  llmroute_table_t* table = nullptr;
  ASSERT_EQ(llmroute_table_compile_text(options, kConfig, sizeof(kConfig) - 1, nullptr, 0, &table,
                                        nullptr),
            LLMROUTE_OK);
  llmroute_compile_options_free(options);
  TableRef ref(table);
  const std::string at = R"({"model": "gpt-4o", "pad": ")" + std::string(64 - 30, 'x') + "\"}";
  ASSERT_EQ(at.size(), 64u);
  Req req;
  req.Body(at).Entropy(0);
  EXPECT_EQ(MustResolve(table, req).status, LLMROUTE_STATUS_ROUTED);
  Req over;
  over.Body(at + " ").Entropy(0);
  const llmroute_decision_t d = MustResolve(table, over);
  EXPECT_EQ(d.status, LLMROUTE_STATUS_BAD_REQUEST);
  EXPECT_EQ(d.http_status, 400);
  EXPECT_EQ(Str(d.reason), "body is larger than the max body size of 64 bytes");
}

TEST(CapiTable, ModelsList) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  ASSERT_EQ(llmroute_table_model_count(table.get()), 2u);
  llmroute_string_t model;
  llmroute_name_t route;
  ASSERT_EQ(llmroute_table_model(table.get(), 0, &model, &route), LLMROUTE_OK);
  EXPECT_EQ(Str(model), "gpt-4o");
  EXPECT_EQ(Name(route), "team/chat");
  ASSERT_EQ(llmroute_table_model(table.get(), 1, &model, &route), LLMROUTE_OK);
  EXPECT_EQ(Str(model), "llama");
  EXPECT_EQ(llmroute_table_model(table.get(), 2, &model, &route),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiTable, Warnings) {
  TableRef table = MustCompile(std::string("apiVersion: v1\nkind: Foo\n---\n") + kConfig);
  ASSERT_NE(table.get(), nullptr);
  ASSERT_EQ(llmroute_table_warning_count(table.get()), 1u);
  llmroute_string_t message;
  ASSERT_EQ(llmroute_table_warning(table.get(), 0, &message), LLMROUTE_OK);
  EXPECT_EQ(Str(message), "test.yaml:2:7: warning: kind: skipped document of unknown kind \"Foo\"");
  EXPECT_EQ(llmroute_table_warning(table.get(), 1, &message), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiTable, ReferencesKeepTheTableAlive) {
  TableRef owner = MustCompile(kConfig);
  llmroute_table_t* extra = llmroute_table_ref(owner.get());
  EXPECT_EQ(extra, owner.get());
  owner = TableRef();  // drop the first reference
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o").Entropy(1);
  const llmroute_decision_t d = MustResolve(extra, req);
  EXPECT_EQ(Name(d.route), "team/chat");
  llmroute_table_free(extra);
}

// The struct-size rule of llmroute/c.h, ABI growth.
TEST(CapiStructSize, RequestSizes) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o").Entropy(0);
  llmroute_decision_t d = EmptyDecision();

  llmroute_request_t r = req.View();
  r.struct_size = 0;
  EXPECT_EQ(llmroute_resolve(table.get(), &r, &d), LLMROUTE_ERROR_INVALID_ARGUMENT);
  r.struct_size = offsetof(llmroute_request_t, health) - 1;  // shorter than the first layout
  EXPECT_EQ(llmroute_resolve(table.get(), &r, &d), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(d.status, 0) << "not written on failure";
  EXPECT_EQ(d.backend.name.data, nullptr);

  // A newer caller's larger request: fine while the fields this library does not know
  // are zero, refused when one is set.
  struct NewerRequest {
    llmroute_request_t v1;
    uint64_t future_field;
    uint64_t another;
  } newer;
  std::memset(&newer, 0, sizeof(newer));
  newer.v1 = req.View();
  newer.v1.struct_size = sizeof(newer);
  ASSERT_EQ(llmroute_resolve(table.get(), &newer.v1, &d), LLMROUTE_OK);
  EXPECT_EQ(Name(d.backend), "team/azure");
  newer.another = 1;
  EXPECT_EQ(llmroute_resolve(table.get(), &newer.v1, &d), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiStructSize, DecisionSizes) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o").Entropy(0);

  struct NewerDecision {
    llmroute_decision_t v1;
    uint64_t future_fields[3];
  } newer;
  std::memset(&newer, 0xAB, sizeof(newer));
  newer.v1.struct_size = sizeof(newer);
  ASSERT_EQ(llmroute_resolve(table.get(), &req.View(), &newer.v1), LLMROUTE_OK);
  EXPECT_EQ(newer.v1.struct_size, sizeof(newer)) << "struct_size is kept";
  EXPECT_EQ(Name(newer.v1.backend), "team/azure");
  EXPECT_EQ(newer.v1.reserved, 0);
  for (uint64_t field : newer.future_fields) EXPECT_EQ(field, 0u) << "unknown fields read absent";

  llmroute_decision_t small;
  std::memset(&small, 0xCD, sizeof(small));
  small.struct_size = offsetof(llmroute_decision_t, fallbacks);  // older than the first layout
  EXPECT_EQ(llmroute_resolve(table.get(), &req.View(), &small), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(small.status, static_cast<int32_t>(0xCDCDCDCD)) << "not written on failure";
}

// A caller compiled with exactly the first layout, with its own data right after it: the
// library writes nothing past struct_size.
TEST(CapiStructSize, DecisionWritesNothingPastStructSize) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o").Entropy(0);
  struct FirstLayoutThenCanary {
    llmroute_decision_t v1;
    uint64_t canary;
  } older;
  std::memset(&older, 0, sizeof(older));
  older.v1.struct_size = offsetof(llmroute_decision_t, fallbacks) + sizeof(const void*);
  older.canary = 0x1122334455667788u;
  ASSERT_EQ(llmroute_resolve(table.get(), &req.View(), &older.v1), LLMROUTE_OK);
  EXPECT_EQ(Name(older.v1.backend), "team/azure");
  EXPECT_EQ(older.canary, 0x1122334455667788u);
}

// The copy rule itself, for the day the library's decision outgrows a caller's: a library
// layout with fields appended, written into an older caller's shorter struct (a canary
// after it must survive) and into a newer caller's longer one (zeros past the library's).
TEST(CapiStructSize, GrownStructCopyRule) {
  struct LibraryLayout {
    uint64_t v1_field;
    uint64_t appended_field;
  } library = {0xAAAAAAAAAAAAAAAAu, 0xBBBBBBBBBBBBBBBBu};
  struct OlderCaller {
    uint64_t v1_field;
    uint64_t canary;
  } older = {0, 0x1122334455667788u};
  llmroute::capi_internal::WriteGrownStruct(&library, sizeof(library), &older, sizeof(uint64_t));
  EXPECT_EQ(older.v1_field, 0xAAAAAAAAAAAAAAAAu);
  EXPECT_EQ(older.canary, 0x1122334455667788u);

  struct NewerCaller {
    uint64_t v1_field;
    uint64_t appended_field;
    uint64_t unknown_to_library[2];
  } newer;
  std::memset(&newer, 0xCD, sizeof(newer));
  llmroute::capi_internal::WriteGrownStruct(&library, sizeof(library), &newer, sizeof(newer));
  EXPECT_EQ(newer.v1_field, 0xAAAAAAAAAAAAAAAAu);
  EXPECT_EQ(newer.appended_field, 0xBBBBBBBBBBBBBBBBu);
  EXPECT_EQ(newer.unknown_to_library[0], 0u);
  EXPECT_EQ(newer.unknown_to_library[1], 0u);
}

TEST(CapiStructSize, FirstLayoutIsFrozen) {
  // These offsets are the ABI: a change here breaks every compiled caller.
  if (sizeof(void*) != 8) GTEST_SKIP() << "offsets written for LP64";
  EXPECT_EQ(sizeof(llmroute_string_t), 16u);
  EXPECT_EQ(sizeof(llmroute_name_t), 32u);
  EXPECT_EQ(sizeof(llmroute_header_t), 32u);
  EXPECT_EQ(offsetof(llmroute_request_t, health), 112u);  // the first layout ended here
  EXPECT_EQ(offsetof(llmroute_request_t, headers), 56u);
  EXPECT_EQ(offsetof(llmroute_request_t, body), 72u);
  EXPECT_EQ(offsetof(llmroute_request_t, entropy), 96u);
  EXPECT_EQ(offsetof(llmroute_request_t, has_entropy), 104u);
  EXPECT_EQ(offsetof(llmroute_decision_t, backend_kind), 176u);  // the first appended field
  EXPECT_EQ(offsetof(llmroute_decision_t, status), 8u);
  EXPECT_EQ(offsetof(llmroute_decision_t, backend), 32u);
  EXPECT_EQ(offsetof(llmroute_decision_t, route), 64u);
  EXPECT_EQ(offsetof(llmroute_decision_t, rule_name), 96u);
  EXPECT_EQ(offsetof(llmroute_decision_t, model), 112u);
  EXPECT_EQ(offsetof(llmroute_decision_t, model_override), 128u);
  EXPECT_EQ(offsetof(llmroute_decision_t, reason), 144u);
  EXPECT_EQ(offsetof(llmroute_decision_t, fallback_count), 160u);
  EXPECT_EQ(offsetof(llmroute_decision_t, fallbacks), 168u);
  // Appended after the first layout: the backend's kind and the mutations.
  EXPECT_EQ(offsetof(llmroute_decision_t, header_set_count), 184u);
  EXPECT_EQ(offsetof(llmroute_decision_t, mutations), 216u);
  EXPECT_EQ(offsetof(llmroute_decision_t, mutations) + sizeof(void*), 224u);
  EXPECT_EQ(sizeof(llmroute_model_t), 72u);
}

TEST(CapiStructSize, RetryFieldsAreAppended) {
  if (sizeof(void*) != 8) GTEST_SKIP() << "offsets written for LP64";
  EXPECT_EQ(offsetof(llmroute_decision_t, has_retry), 224u);  // after the mutations
  EXPECT_EQ(offsetof(llmroute_decision_t, retry_attempts), 228u);
  EXPECT_EQ(offsetof(llmroute_decision_t, retry_backoff_ms), 232u);
  EXPECT_EQ(offsetof(llmroute_decision_t, retry_codes), 240u);
  EXPECT_EQ(offsetof(llmroute_decision_t, retry_code_count), 248u);
  EXPECT_EQ(offsetof(llmroute_decision_t, retry_code_count) + sizeof(size_t), 256u);
  // Then affinity and panic; and the request's health view.
  EXPECT_EQ(offsetof(llmroute_decision_t, affinity), 256u);
  EXPECT_EQ(offsetof(llmroute_decision_t, panic), 260u);
  EXPECT_EQ(sizeof(llmroute_decision_t), 264u);
  EXPECT_EQ(offsetof(llmroute_request_t, health), 112u);
  EXPECT_EQ(sizeof(llmroute_request_t), 120u);
}

constexpr char kAffinityConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: sticky, namespace: ns}
spec:
  sessionAffinity: {header: x-session}
  rules:
    - backendRefs:
        - {name: alpha, weight: 1}
        - {name: beta, weight: 2}
        - {name: gamma, weight: 1}
        - {name: spare, priority: 1}
)";

struct HealthRef {
  explicit HealthRef(llmroute_health_t* h) : health(h) {}
  ~HealthRef() { llmroute_health_free(health); }
  llmroute_health_t* health;
};

int32_t MarkDown(llmroute_health_t* health, std::string_view ns, std::string_view name) {
  return llmroute_health_mark_down(health, ns.data(), ns.size(), name.data(), name.size());
}

// The golden values of tests/data/shared_cases.json ("affinity" suite), through C.
TEST(CapiAffinity, KeyDecidesAndFallbacksFollowTheScore) {
  TableRef table = MustCompile(kAffinityConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-session", "user-1").Entropy(0);
  llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(Name(d.backend), "ns/beta");
  EXPECT_EQ(Fallbacks(d), (std::vector<std::string>{"ns/gamma", "ns/alpha", "ns/spare"}));
  EXPECT_EQ(d.affinity, 1);
  EXPECT_EQ(d.panic, 0);
  Req plain;
  plain.Entropy(0);
  EXPECT_EQ(MustResolve(table.get(), plain).affinity, 0);
}

TEST(CapiAffinity, CompileOptionDefault) {
  llmroute_compile_options_t* options = llmroute_compile_options_create();
  ASSERT_EQ(llmroute_compile_options_set_affinity_body_field(options, "user", 4), LLMROUTE_OK);
  llmroute_table_t* table = nullptr;
  ASSERT_EQ(llmroute_table_compile_text(options, kPlainConfig, sizeof(kPlainConfig) - 1, nullptr, 0,
                                        &table, nullptr),
            LLMROUTE_OK);
  TableRef owned(table);
  Req req;
  req.Body(R"({"model": "m1", "user": "u"})").Header("x-model", "m1");
  EXPECT_EQ(MustResolve(table, req).affinity, 1);
  ASSERT_EQ(llmroute_compile_options_set_affinity_header(options, "a b", 3), LLMROUTE_OK);
  llmroute_table_t* bad = nullptr;
  char* error = nullptr;
  EXPECT_EQ(llmroute_table_compile_text(options, kPlainConfig, sizeof(kPlainConfig) - 1, nullptr, 0,
                                        &bad, &error),
            LLMROUTE_ERROR_CONFIG);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("not a valid token"), std::string::npos) << error;
  llmroute_free(error);
  llmroute_compile_options_free(options);
}

TEST(CapiHealth, DownBackendsLeaveTheChoiceAndPanicWhenAllAre) {
  TableRef table = MustCompile(kAffinityConfig);
  ASSERT_NE(table.get(), nullptr);
  HealthRef health(llmroute_health_create());
  ASSERT_NE(health.health, nullptr);
  ASSERT_EQ(MarkDown(health.health, "ns", "beta"), LLMROUTE_OK);
  Req req;
  req.Header("x-session", "user-3").Entropy(0);
  llmroute_request_t request = req.View();
  request.health = health.health;
  llmroute_decision_t d = EmptyDecision();
  ASSERT_EQ(llmroute_resolve(table.get(), &request, &d), LLMROUTE_OK);
  EXPECT_EQ(Name(d.backend), "ns/alpha");
  EXPECT_EQ(Fallbacks(d), (std::vector<std::string>{"ns/gamma", "ns/spare"}));
  EXPECT_EQ(d.panic, 0);
  for (const char* name : {"alpha", "gamma", "spare"}) {
    ASSERT_EQ(MarkDown(health.health, "ns", name), LLMROUTE_OK);
  }
  ASSERT_EQ(llmroute_resolve(table.get(), &request, &d), LLMROUTE_OK);
  EXPECT_EQ(d.panic, 1);
  // An older caller's request, without the health field: the view is not read.
  request.struct_size = offsetof(llmroute_request_t, health);
  ASSERT_EQ(llmroute_resolve(table.get(), &request, &d), LLMROUTE_OK);
  EXPECT_EQ(d.panic, 0);
}

TEST(CapiHealth, OlderDecisionLayoutGetsNoNewFields) {
  TableRef table = MustCompile(kAffinityConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-session", "user-1");
  llmroute_decision_t d;
  std::memset(&d, 0xEE, sizeof(d));
  d.struct_size = offsetof(llmroute_decision_t, affinity);
  ASSERT_EQ(llmroute_resolve(table.get(), &req.View(), &d), LLMROUTE_OK);
  EXPECT_EQ(Name(d.backend), "ns/beta");
  EXPECT_EQ(d.affinity, static_cast<int32_t>(0xEEEEEEEE)) << "beyond struct_size: not written";
}

TEST(CapiHealth, CooldownsByAManualClock) {
  HealthRef health(llmroute_health_create_manual_clock(1000));
  ASSERT_NE(health.health, nullptr);
  EXPECT_EQ(llmroute_health_mark_down_for(health.health, "ns", 2, "a", 1, 250), LLMROUTE_OK);
  int32_t down = -1;
  int64_t until = 0;
  ASSERT_EQ(llmroute_health_state(health.health, "ns", 2, "a", 1, &down, &until), LLMROUTE_OK);
  EXPECT_EQ(down, 1);
  EXPECT_EQ(until, 1250);
  ASSERT_EQ(llmroute_health_set_now(health.health, 1250), LLMROUTE_OK);
  ASSERT_EQ(llmroute_health_state(health.health, "ns", 2, "a", 1, &down, &until), LLMROUTE_OK);
  EXPECT_EQ(down, 0);
  EXPECT_EQ(until, -1);
  ASSERT_EQ(MarkDown(health.health, "ns", "a"), LLMROUTE_OK);
  ASSERT_EQ(llmroute_health_state(health.health, "ns", 2, "a", 1, &down, &until), LLMROUTE_OK);
  EXPECT_EQ(down, 1);
  EXPECT_EQ(until, -1);
  ASSERT_EQ(llmroute_health_mark_up(health.health, "ns", 2, "a", 1), LLMROUTE_OK);
  ASSERT_EQ(llmroute_health_state(health.health, "ns", 2, "a", 1, &down, nullptr), LLMROUTE_OK);
  EXPECT_EQ(down, 0);
  EXPECT_EQ(llmroute_health_mark_down_for(health.health, "ns", 2, "a", 1, 0),
            LLMROUTE_ERROR_INVALID_ARGUMENT);
}

int64_t FixedClock(void* context) { return *static_cast<int64_t*>(context); }

TEST(CapiHealth, CallerClockAndBadArguments) {
  int64_t now = 5;
  HealthRef health(llmroute_health_create_with_clock(FixedClock, &now));
  ASSERT_NE(health.health, nullptr);
  ASSERT_EQ(llmroute_health_mark_down_for(health.health, "ns", 2, "a", 1, 10), LLMROUTE_OK);
  int64_t until = 0;
  ASSERT_EQ(llmroute_health_state(health.health, "ns", 2, "a", 1, nullptr, &until), LLMROUTE_OK);
  EXPECT_EQ(until, 15);
  EXPECT_EQ(llmroute_health_set_now(health.health, 1), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_health_create_with_clock(nullptr, nullptr), nullptr);
  EXPECT_EQ(MarkDown(nullptr, "ns", "a"), LLMROUTE_ERROR_INVALID_ARGUMENT);
  llmroute_health_free(nullptr);
}

// Readers resolve with a table reference they keep, refreshed when the generation moves;
// a writer swaps tables (each freshly compiled, the old ones freed) under them. Every
// decision must come whole from one table; ASan reports any use after free.
TEST(CapiHolder, SwapWhileOtherThreadsResolve) {
  const std::string blue = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: blue}
spec:
  rules:
    - backendRefs: [{name: blue-1}, {name: blue-2}]
)";
  const std::string green = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: green}
spec:
  rules:
    - backendRefs: [{name: green-1}, {name: green-2}]
)";
  TableRef first = MustCompile(blue);
  ASSERT_NE(first.get(), nullptr);
  llmroute_holder_t* holder = llmroute_holder_create(first.get());
  ASSERT_NE(holder, nullptr);
  first = TableRef();  // the holder keeps its own reference
  EXPECT_EQ(llmroute_holder_generation(holder), 0u);

  constexpr int kReaders = 3;
  constexpr int kSwaps = 60;
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::atomic<int64_t> resolved{0}, mismatches{0}, refreshes{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      uint64_t generation = llmroute_holder_generation(holder);
      llmroute_table_t* mine = llmroute_holder_acquire(holder);
      started.fetch_add(1);
      Req req;
      req.Path("/v1/chat/completions").Entropy(static_cast<uint64_t>(t));
      const llmroute_request_t& r = req.View();
      while (!stop.load(std::memory_order_relaxed)) {
        const uint64_t now = llmroute_holder_generation(holder);
        if (now != generation) {
          llmroute_table_free(mine);
          mine = llmroute_holder_acquire(holder);
          generation = now;
          refreshes.fetch_add(1, std::memory_order_relaxed);
        }
        llmroute_decision_t d = EmptyDecision();
        if (llmroute_resolve(mine, &r, &d) != LLMROUTE_OK || d.fallback_count != 1) {
          mismatches.fetch_add(1);
          continue;
        }
        // Route, backend and fallback all from the same table.
        const std::string route = *Str(d.route.name);
        llmroute_name_t fallback;
        llmroute_decision_fallback(&d, 0, &fallback);
        const bool whole = route.size() >= 4 &&
                           Str(d.backend.name)->rfind(route + "-", 0) == 0 &&
                           Str(fallback.name)->rfind(route + "-", 0) == 0;
        if (!whole) mismatches.fetch_add(1);
        resolved.fetch_add(1, std::memory_order_relaxed);
      }
      llmroute_table_free(mine);
    });
  }
  while (started.load() < kReaders) std::this_thread::yield();
  for (int i = 1; i <= kSwaps; ++i) {
    TableRef next = MustCompile(i % 2 ? green : blue);
    ASSERT_NE(next.get(), nullptr);
    ASSERT_EQ(llmroute_holder_swap(holder, next.get()), LLMROUTE_OK);
    // Let the readers see this table before the next swap frees it.
    const int64_t seen = resolved.load();
    while (resolved.load() < seen + 50) std::this_thread::yield();
  }
  stop.store(true);
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(llmroute_holder_generation(holder), static_cast<uint64_t>(kSwaps));
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(refreshes.load(), 0);

  // The last table swapped in (blue, kSwaps even) is current; an acquired reference
  // outlives the holder.
  llmroute_table_t* last = llmroute_holder_acquire(holder);
  llmroute_holder_free(holder);
  Req req;
  const llmroute_decision_t d = MustResolve(last, req);
  EXPECT_EQ(Name(d.route), "default/blue");
  llmroute_table_free(last);
}

TEST(CapiTrustBoundary, OwnedHeadersAreTheModelHeaderAndEnabledStandardHeaders) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  ASSERT_EQ(llmroute_table_owned_header_count(table.get()), 2u);
  llmroute_string_t name;
  ASSERT_EQ(llmroute_table_owned_header(table.get(), 0, &name), LLMROUTE_OK);
  EXPECT_EQ(Str(name), "x-ai-eg-model");
  ASSERT_EQ(llmroute_table_owned_header(table.get(), 1, &name), LLMROUTE_OK);
  EXPECT_EQ(Str(name), "x-ai-gateway-backend");
  EXPECT_EQ(llmroute_table_owned_header(table.get(), 2, &name), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_table_owned_header(nullptr, 0, &name), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_table_owned_header(table.get(), 0, nullptr), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_table_owned_header_count(nullptr), 0u);

  TableRef plain = MustCompile(kPlainConfig);
  ASSERT_NE(plain.get(), nullptr);
  ASSERT_EQ(llmroute_table_owned_header_count(plain.get()), 1u);
  ASSERT_EQ(llmroute_table_owned_header(plain.get(), 0, &name), LLMROUTE_OK);
  EXPECT_EQ(Str(name), "x-ai-eg-model");
}

TEST(CapiTrustBoundary, UpstreamModelIsTheOverrideElseTheModel) {
  TableRef table = MustCompile(kConfig);
  ASSERT_NE(table.get(), nullptr);
  std::set<std::optional<std::string>> seen;
  for (uint64_t entropy = 0; entropy < 64; ++entropy) {
    Req req;
    req.Header("x-ai-eg-model", "gpt-4o").Entropy(entropy);
    const llmroute_decision_t d = MustResolve(table.get(), req);
    ASSERT_EQ(d.status, LLMROUTE_STATUS_ROUTED);
    llmroute_string_t model;
    ASSERT_EQ(llmroute_decision_upstream_model(&d, &model), LLMROUTE_OK);
    EXPECT_EQ(Str(model), Name(d.backend) == "team/openai" ? "gpt-4o-2024" : "gpt-4o");
    seen.insert(Str(model));
  }
  EXPECT_EQ(seen.size(), 2u);  // both the override and the plain model were exercised

  Req none;
  const llmroute_decision_t d = MustResolve(table.get(), none);
  llmroute_string_t model{"x", 1};
  ASSERT_EQ(llmroute_decision_upstream_model(&d, &model), LLMROUTE_OK);
  EXPECT_EQ(model.data, nullptr);
  EXPECT_EQ(llmroute_decision_upstream_model(nullptr, &model), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_decision_upstream_model(&d, nullptr), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

// Rules with and without a retry policy.
constexpr char kRetryConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: retry, namespace: team}
spec:
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
      backendRefs:
        - {name: openai}
        - {name: azure, priority: 1, modelNameOverride: gpt-4o-azure}
        - {name: backup, priority: 2}
      retry: {codes: [429, 503], attempts: 3, backoff: 1s250ms}
    - matches: [{headers: [{name: x-ai-eg-model, value: plain}]}]
      backendRefs: [{name: one}, {name: two, priority: 1}]
  standardRoutingHeader: {enabled: true}
)";

// The next attempt as "ns/name" or "ns/name model=m", or "none".
std::string Next(const llmroute_decision_t& d, uint32_t attempts_made, int32_t last_status) {
  llmroute_name_t backend;
  llmroute_string_t model = {"untouched", 9};
  const int32_t found = llmroute_next_attempt(&d, attempts_made, last_status, &backend, &model);
  if (found == 0) {
    EXPECT_EQ(Str(model), "untouched");
    return "none";
  }
  EXPECT_EQ(found, 1);
  return Name(backend) + (model.data != nullptr ? " model=" + *Str(model) : "");
}

TEST(CapiRetry, DecisionCarriesThePolicyAndEachFallbacksOverride) {
  TableRef table = MustCompile(kRetryConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.has_retry, 1);
  EXPECT_EQ(d.retry_attempts, 3u);
  EXPECT_EQ(d.retry_backoff_ms, 1250u);
  ASSERT_EQ(d.retry_code_count, 2u);
  EXPECT_EQ(d.retry_codes[0], 429);
  EXPECT_EQ(d.retry_codes[1], 503);
  llmroute_string_t model;
  ASSERT_EQ(llmroute_decision_fallback_override(&d, 0, &model), LLMROUTE_OK);
  EXPECT_EQ(Str(model), "gpt-4o-azure");
  ASSERT_EQ(llmroute_decision_fallback_override(&d, 1, &model), LLMROUTE_OK);
  EXPECT_EQ(Str(model), std::nullopt);
  EXPECT_EQ(llmroute_decision_fallback_override(&d, 2, &model), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiRetry, NextAttemptFollowsTheRule) {
  TableRef table = MustCompile(kRetryConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(Next(d, 1, 503), "team/azure model=gpt-4o-azure");  // a listed status
  EXPECT_EQ(Next(d, 1, 0), "team/azure model=gpt-4o-azure");    // connection failure
  EXPECT_EQ(Next(d, 1, 500), "none");                            // not listed
  EXPECT_EQ(Next(d, 2, 429), "team/backup");
  EXPECT_EQ(Next(d, 3, 0), "none");  // attempts left, fallbacks exhausted
  EXPECT_EQ(Next(d, 4, 0), "none");  // attempts exhausted
  EXPECT_EQ(Next(d, 0, 0), "none");  // no attempt made yet
}

TEST(CapiRetry, NoPolicyNoNextAttempt) {
  TableRef table = MustCompile(kRetryConfig);
  ASSERT_NE(table.get(), nullptr);
  Req plain;
  plain.Header("x-ai-eg-model", "plain");
  const llmroute_decision_t rule = MustResolve(table.get(), plain);
  EXPECT_EQ(rule.has_retry, 0);
  EXPECT_EQ(rule.retry_codes, nullptr);
  EXPECT_EQ(Next(rule, 1, 0), "none");
  Req header;
  header.Header("x-ai-eg-model", "gpt-4o").Header("x-ai-gateway-backend", "azure");
  const llmroute_decision_t standard = MustResolve(table.get(), header);
  EXPECT_EQ(standard.via, LLMROUTE_VIA_STANDARD_HEADER);
  EXPECT_EQ(standard.has_retry, 0);
  EXPECT_EQ(Next(standard, 1, 0), "none");
  Req unknown;
  unknown.Header("x-ai-eg-model", "unknown");
  const llmroute_decision_t no_route = MustResolve(table.get(), unknown);
  EXPECT_EQ(no_route.status, LLMROUTE_STATUS_NO_ROUTE);
  EXPECT_EQ(Next(no_route, 1, 0), "none");
}

TEST(CapiRetry, NextAttemptRefusesBadArguments) {
  TableRef table = MustCompile(kRetryConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o");
  llmroute_decision_t d = MustResolve(table.get(), req);
  llmroute_name_t backend;
  llmroute_string_t model;
  EXPECT_EQ(llmroute_next_attempt(nullptr, 1, 0, &backend, &model), -LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_next_attempt(&d, 1, 0, nullptr, &model), -LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_next_attempt(&d, 1, 0, &backend, nullptr), -LLMROUTE_ERROR_INVALID_ARGUMENT);
  d.struct_size = offsetof(llmroute_decision_t, has_retry);  // an older caller's layout
  EXPECT_EQ(llmroute_next_attempt(&d, 1, 0, &backend, &model), -LLMROUTE_ERROR_INVALID_ARGUMENT);
}

TEST(CapiExplain, SameTextAsTheCliAndFreedWithLlmrouteFree) {
  TableRef table = MustCompile(kRetryConfig);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Header("x-ai-eg-model", "gpt-4o");
  char* text = nullptr;
  size_t len = 0;
  char* error = nullptr;
  ASSERT_EQ(llmroute_explain(table.get(), &req.View(), &text, &len, &error), LLMROUTE_OK);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(error, nullptr);
  const std::string report(text, len);
  EXPECT_EQ(text[len], '\0');
  EXPECT_NE(report.find("header x-ai-eg-model Exact \"gpt-4o\", seen \"gpt-4o\""), std::string::npos)
      << report;
  EXPECT_NE(report.find("decision: routed (200) backend team/openai"), std::string::npos) << report;
  EXPECT_NE(report.find("retry: up to 3 retries"), std::string::npos) << report;
  EXPECT_NE(report.find("retry 1: team/azure with model \"gpt-4o-azure\""), std::string::npos) << report;
  llmroute_free(text);

  EXPECT_EQ(llmroute_explain(nullptr, &req.View(), &text, &len, &error), LLMROUTE_ERROR_INVALID_ARGUMENT);
  ASSERT_NE(error, nullptr);
  llmroute_free(error);
}

}  // namespace

namespace llmroute_capi_mutations {

constexpr char kMutations[] = R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: ns, creationTimestamp: "2024-05-01T00:00:00Z"}
spec:
  hostnames: [llm.example.com]
  rules:
    - modelsOwnedBy: Acme
      matches: [{headers: [{name: x-ai-eg-model, value: m}]}]
      backendRefs:
        - name: b
          headerMutation: {set: [{name: x-a, value: "1"}, {name: x-b, value: "2"}], remove: [x-c]}
          bodyMutation: {set: [{path: num, value: "42"}], remove: [drop, also]}
    - matches: [{headers: [{name: x-ai-eg-model, value: p}]}]
      backendRefs: [{name: pool, group: inference.networking.k8s.io, kind: InferencePool}]
)";

TEST(CapiMutations, ChosenBackendRefMutationsAndKind) {
  TableRef table = MustCompile(kMutations);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Host("llm.example.com").Header("x-ai-eg-model", "m");
  const llmroute_decision_t d = MustResolve(table.get(), req);
  EXPECT_EQ(d.backend_kind, LLMROUTE_BACKEND_KIND_BACKEND);
  ASSERT_EQ(d.header_set_count, 2u);
  ASSERT_EQ(d.header_remove_count, 1u);
  ASSERT_EQ(d.body_set_count, 1u);
  ASSERT_EQ(d.body_remove_count, 2u);
  llmroute_string_t a, b;
  ASSERT_EQ(llmroute_decision_header_set(&d, 1, &a, &b), LLMROUTE_OK);
  EXPECT_EQ(*Str(a) + "=" + *Str(b), "x-b=2");
  ASSERT_EQ(llmroute_decision_header_remove(&d, 0, &a), LLMROUTE_OK);
  EXPECT_EQ(*Str(a), "x-c");
  ASSERT_EQ(llmroute_decision_body_set(&d, 0, &a, &b), LLMROUTE_OK);
  EXPECT_EQ(*Str(a) + "=" + *Str(b), "num=42");
  ASSERT_EQ(llmroute_decision_body_remove(&d, 1, &a), LLMROUTE_OK);
  EXPECT_EQ(*Str(a), "also");
  EXPECT_EQ(llmroute_decision_header_set(&d, 2, &a, &b), LLMROUTE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(llmroute_decision_body_remove(&d, 2, &a), LLMROUTE_ERROR_INVALID_ARGUMENT);

  Req pool;
  pool.Host("llm.example.com").Header("x-ai-eg-model", "p");
  const llmroute_decision_t p = MustResolve(table.get(), pool);
  EXPECT_EQ(Name(p.backend), "ns/pool");
  EXPECT_EQ(p.backend_kind, LLMROUTE_BACKEND_KIND_INFERENCE_POOL);
  EXPECT_STREQ(llmroute_backend_kind_name(p.backend_kind), "InferencePool");
  EXPECT_STREQ(llmroute_backend_kind_name(7), "unknown");
  EXPECT_EQ(p.header_set_count + p.header_remove_count + p.body_set_count + p.body_remove_count, 0u);
  EXPECT_EQ(p.mutations, nullptr);
  EXPECT_EQ(llmroute_decision_header_remove(&p, 0, &a), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

// A caller built against the first decision layout: the appended fields are neither
// written (no byte past its struct_size changes) nor read.
TEST(CapiMutations, FirstLayoutCallerIsNotOverrun) {
  TableRef table = MustCompile(kMutations);
  ASSERT_NE(table.get(), nullptr);
  Req req;
  req.Host("llm.example.com").Header("x-ai-eg-model", "m");
  constexpr std::size_t kFirstLayout = offsetof(llmroute_decision_t, backend_kind);
  llmroute_decision_t d;
  std::memset(&d, 0xAB, sizeof(d));
  d.struct_size = kFirstLayout;
  ASSERT_EQ(llmroute_resolve(table.get(), &req.View(), &d), LLMROUTE_OK);
  EXPECT_EQ(Name(d.backend), "ns/b");
  const auto* bytes = reinterpret_cast<const unsigned char*>(&d);
  for (std::size_t i = kFirstLayout; i < sizeof(d); ++i) ASSERT_EQ(bytes[i], 0xAB) << "byte " << i;
  llmroute_string_t a;
  EXPECT_EQ(llmroute_decision_header_remove(&d, 0, &a), LLMROUTE_ERROR_INVALID_ARGUMENT);
}

std::vector<std::string> HostModels(const llmroute_table_t* table, const char* host) {
  std::vector<std::string> out;
  const std::size_t host_len = host == nullptr ? 0 : std::strlen(host);
  const std::size_t n = llmroute_table_host_model_count(table, host, host_len);
  for (std::size_t i = 0; i < n; ++i) {
    llmroute_model_t m;
    EXPECT_EQ(llmroute_table_host_model(table, host, host_len, i, &m), LLMROUTE_OK);
    out.push_back(*Str(m.id) + " " + Name(m.route) + " " + *Str(m.owned_by) + " " +
                  std::to_string(m.created));
  }
  llmroute_model_t m;
  EXPECT_EQ(llmroute_table_host_model(table, host, host_len, n, &m), LLMROUTE_ERROR_INVALID_ARGUMENT);
  return out;
}

TEST(CapiModels, OwnerCreatedAndHost) {
  TableRef table = MustCompile(kMutations);
  ASSERT_NE(table.get(), nullptr);
  ASSERT_EQ(llmroute_table_model_count(table.get()), 2u);
  llmroute_model_t m;
  ASSERT_EQ(llmroute_table_model_info(table.get(), 1, &m), LLMROUTE_OK);
  EXPECT_EQ(*Str(m.id), "p");
  EXPECT_EQ(*Str(m.owned_by), "Envoy AI Gateway");
  EXPECT_EQ(m.created, 1714521600);  // the route's creationTimestamp
  EXPECT_EQ(llmroute_table_model_info(table.get(), 2, &m), LLMROUTE_ERROR_INVALID_ARGUMENT);
  const std::vector<std::string> all = {"m ns/r Acme 1714521600",
                                        "p ns/r Envoy AI Gateway 1714521600"};
  EXPECT_EQ(HostModels(table.get(), "LLM.example.com.:80"), all);
  EXPECT_EQ(HostModels(table.get(), "other.example.com"), std::vector<std::string>());
  EXPECT_EQ(HostModels(table.get(), nullptr), std::vector<std::string>());
  EXPECT_EQ(llmroute_table_host_model_count(nullptr, "x", 1), 0u);
  EXPECT_EQ(llmroute_table_host_model_count(table.get(), nullptr, 3), 0u);
}

}  // namespace llmroute_capi_mutations
