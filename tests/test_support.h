// Helpers for the routing tests: compile YAML text, build requests that own their
// storage, and compare decisions field by field with readable failure messages.
//
//   auto table = MustCompile(R"(...yaml...)");
//   ASSERT_NE(table, nullptr);
//   Resolved r = Resolve(table, Req().Path("/v1").Header("x-model", "gpt"));
//   EXPECT_TRUE(DecisionIs(r, {.status = DecisionStatus::kRouted, .backend = "ns/b"}));
//
// Header-only on purpose: only *_test.cc files are compiled into the test binary.
#ifndef LLMROUTE_TESTS_TEST_SUPPORT_H_
#define LLMROUTE_TESTS_TEST_SUPPORT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace llmroute::test {

// Concatenates anything that streams. (Abseil's StrCat here takes absl::string_view,
// which is not std::string_view in every build.)
template <typename... Args>
std::string Cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// An HTTPRoute "ns/r" of `count` rules: rule i matches header x-h<i> with the Exact value
// `value_of(i)` and goes to backend b<i>. Rules appended to the text join its list.
template <typename ValueOf>
std::string ManyHeaderRulesYaml(int count, ValueOf value_of) {
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ns}\n"
      "spec:\n  rules:\n";
  for (int i = 0; i < count; ++i) {
    yaml += Cat("  - matches: [{headers: [{name: x-h", i, ", value: '", value_of(i),
                "'}]}]\n    backendRefs: [{name: b", i, "}]\n");
  }
  return yaml;
}
inline std::string ManyHeaderRulesYaml(int count) {
  return ManyHeaderRulesYaml(count, [](int) { return "v"; });
}

// Loads `yaml` and compiles it with `options`.
inline absl::StatusOr<std::shared_ptr<const RoutingTable>> CompileYaml(
    std::string_view yaml, const CompileOptions& options = CompileOptions()) {
  absl::StatusOr<Config> config = LoadConfigText(yaml, "test.yaml");
  if (!config.ok()) return config.status();
  return Compile(*config, options);
}

// Like CompileYaml, but records a test failure naming the error (and the text) and
// returns null when the config does not load or compile. Use with ASSERT_NE(t, nullptr).
inline std::shared_ptr<const RoutingTable> MustCompile(
    std::string_view yaml, const CompileOptions& options = CompileOptions()) {
  absl::StatusOr<std::shared_ptr<const RoutingTable>> table = CompileYaml(yaml, options);
  if (!table.ok()) {
    ADD_FAILURE() << "config does not compile: " << table.status() << "\n--- config:\n" << yaml;
    return nullptr;
  }
  if (*table == nullptr) {
    ADD_FAILURE() << "Compile returned OK with a null table";
  }
  return *std::move(table);
}

// A request that owns its strings. `View()` returns a Request of views into this object,
// valid while it is alive and not modified.
class Req {
 public:
  Req() = default;
  Req(const Req&) = delete;
  Req& operator=(const Req&) = delete;
  Req(Req&&) = default;
  Req& operator=(Req&&) = default;

  Req&& Method(std::string method) && {
    method_ = std::move(method);
    return std::move(*this);
  }
  Req&& Host(std::string host) && {
    host_ = std::move(host);
    return std::move(*this);
  }
  Req&& Path(std::string path) && {
    path_ = std::move(path);
    return std::move(*this);
  }
  // Appends one header line; call again with the same name to repeat it.
  Req&& Header(std::string name, std::string value) && {
    headers_.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
  Req&& Entropy(uint64_t entropy) && {
    entropy_ = entropy;
    return std::move(*this);
  }
  Req&& Body(std::string body) && {
    body_ = std::move(body);
    return std::move(*this);
  }
  // A health view for the request (not owned; must outlive every View() resolved).
  Req&& Health(const HealthView* health) && {
    health_ = health;
    return std::move(*this);
  }

  // The lvalue forms, for building a request in a loop.
  Req& AddHeader(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  Req& SetEntropy(uint64_t entropy) {
    entropy_ = entropy;
    return *this;
  }
  Req& SetHost(std::string host) {
    host_ = std::move(host);
    return *this;
  }
  Req& SetBody(std::string body) {
    body_ = std::move(body);
    return *this;
  }
  Req& SetHealth(const HealthView* health) {
    health_ = health;
    return *this;
  }

  Request View() const {
    views_.clear();
    for (const auto& [name, value] : headers_) {
      views_.push_back(llmroute::Header{name, value});
    }
    Request request;
    request.method = method_;
    request.host = host_;
    request.path = path_;
    request.headers = views_;
    if (body_.has_value()) request.body = std::string_view(*body_);
    request.entropy = entropy_;
    request.health = health_;
    return request;
  }

  std::string Describe() const {
    std::string out = Cat(method_, " ", path_, " host=\"", host_, "\"");
    for (const auto& [name, value] : headers_) out += Cat(" [", name, ": \"", value, "\"]");
    if (entropy_.has_value()) out += Cat(" entropy=", *entropy_);
    if (body_.has_value()) out += Cat(" body=", *body_);
    return out;
  }

 private:
  std::string method_ = "GET";
  std::string host_;
  std::string path_ = "/";
  std::vector<std::pair<std::string, std::string>> headers_;
  std::optional<uint64_t> entropy_ = std::nullopt;
  std::optional<std::string> body_ = std::nullopt;
  const HealthView* health_ = nullptr;
  mutable std::vector<llmroute::Header> views_;
};

// A request resolved against a table, keeping both alive so that every view in the
// decision (names in the table, `model` in the request) stays valid.
class Resolved {
 public:
  Resolved(std::shared_ptr<const RoutingTable> table, Req request)
      : table_(std::move(table)), request_(std::make_unique<Req>(std::move(request))) {
    decision_ = table_->Resolve(request_->View());
  }

  const Decision& operator*() const { return decision_; }
  const Decision* operator->() const { return &decision_; }
  const Decision& decision() const { return decision_; }
  const Req& request() const { return *request_; }

 private:
  std::shared_ptr<const RoutingTable> table_;
  std::unique_ptr<Req> request_;  // heap: views into it survive moves of Resolved
  Decision decision_;
};

inline Resolved Resolve(const std::shared_ptr<const RoutingTable>& table, Req request) {
  return Resolved(table, std::move(request));
}

// Renders a "namespace/name".
inline std::string NsName(const NamespacedName& n) { return Cat(n.namespace_, "/", n.name); }

// The rendering of an absent value in Expect and in descriptions.
inline constexpr std::string_view kNull = "<null>";
inline constexpr int kNone = -1;

inline std::string Render(const std::optional<NamespacedName>& n) {
  return n.has_value() ? NsName(*n) : std::string(kNull);
}
inline std::string Render(const std::optional<std::string_view>& s) {
  return s.has_value() ? std::string(*s) : std::string(kNull);
}
inline int Render(const std::optional<uint32_t>& i) {
  return i.has_value() ? static_cast<int>(*i) : kNone;
}
inline std::string RenderFallbacks(const Decision& d) {
  std::vector<std::string> names;
  for (const Fallback& f : d.fallbacks) names.push_back(NsName(f.backend));
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + names[i];
  return out + "]";
}

inline std::string StatusText(DecisionStatus s) {
  switch (s) {
    case DecisionStatus::kRouted:
      return "routed";
    case DecisionStatus::kNoRoute:
      return "no_route";
    case DecisionStatus::kBackendNotAllowed:
      return "backend_not_allowed";
    case DecisionStatus::kBadRequest:
      return "bad_request";
    case DecisionStatus::kNoBackend:
      return "no_backend";
  }
  return Cat("<status ", static_cast<int>(s), ">");
}

inline std::string ViaText(Via v) {
  switch (v) {
    case Via::kNone:
      return "none";
    case Via::kRule:
      return "rule";
    case Via::kStandardHeader:
      return "standard_header";
  }
  return Cat("<via ", static_cast<int>(v), ">");
}

// The HTTP status of each decision status (docs/routing.md#decision), written out here
// rather than taken from the library.
inline int ExpectedHttpStatus(DecisionStatus s) {
  switch (s) {
    case DecisionStatus::kRouted:
      return 200;
    case DecisionStatus::kNoRoute:
      return 404;
    case DecisionStatus::kBackendNotAllowed:
    case DecisionStatus::kBadRequest:
      return 400;
    case DecisionStatus::kNoBackend:
      return 500;
  }
  return 0;
}

inline std::string Describe(const Decision& d) {
  return Cat("{status: ", StatusText(d.status), ", http: ", d.http_status,
             ", via: ", ViaText(d.via), ", backend: ", Render(d.backend),
             ", route: ", Render(d.route), ", rule: ", Render(d.rule),
             ", rule_name: ", Render(d.rule_name), ", match: ", Render(d.match),
             ", model: ", Render(d.model), ", model_override: ", Render(d.model_override),
             ", fallbacks: ", RenderFallbacks(d), ", reason: \"", d.reason, "\"}");
}

// What a test expects of a decision; unset fields are not checked. Names are
// "namespace/name"; kNull / kNone mean "must be absent".
struct Expect {
  // Also checks http_status against the status's documented one.
  std::optional<DecisionStatus> status = std::nullopt;
  std::optional<Via> via = std::nullopt;
  std::optional<std::string> backend = std::nullopt;
  std::optional<std::string> route = std::nullopt;
  std::optional<int> rule = std::nullopt;
  std::optional<std::string> rule_name = std::nullopt;
  std::optional<int> match = std::nullopt;
  std::optional<std::string> model = std::nullopt;
  std::optional<std::string> model_override = std::nullopt;
  std::optional<std::string> fallbacks = std::nullopt;  // "[ns/a, ns/b]"; "[]" for none
};

inline ::testing::AssertionResult DecisionIs(const Decision& d, const Expect& e,
                                             std::string_view request_description = "") {
  std::vector<std::string> problems;
  auto check = [&problems](std::string_view field, const auto& want, const auto& got) {
    if (!(want == got)) problems.push_back(Cat(field, ": want ", want, ", got ", got));
  };
  if (e.status.has_value()) {
    check("status", StatusText(*e.status), StatusText(d.status));
    check("http_status", ExpectedHttpStatus(*e.status), d.http_status);
  }
  if (e.via.has_value()) check("via", ViaText(*e.via), ViaText(d.via));
  if (e.backend.has_value()) check("backend", *e.backend, Render(d.backend));
  if (e.route.has_value()) check("route", *e.route, Render(d.route));
  if (e.rule.has_value()) check("rule", *e.rule, Render(d.rule));
  if (e.rule_name.has_value()) check("rule_name", *e.rule_name, Render(d.rule_name));
  if (e.match.has_value()) check("match", *e.match, Render(d.match));
  if (e.model.has_value()) check("model", *e.model, Render(d.model));
  if (e.model_override.has_value()) {
    check("model_override", *e.model_override, Render(d.model_override));
  }
  if (e.fallbacks.has_value()) check("fallbacks", *e.fallbacks, RenderFallbacks(d));
  if (problems.empty()) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  if (!request_description.empty()) failure << "request: " << request_description << "\n";
  for (const std::string& p : problems) failure << "  " << p << "\n";
  failure << "decision: " << Describe(d);
  return failure;
}

inline ::testing::AssertionResult DecisionIs(const Resolved& r, const Expect& e) {
  return DecisionIs(*r, e, r.request().Describe());
}

// Shorthands for the common expectations.
inline Expect RoutedTo(std::string backend) {
  return Expect{.status = DecisionStatus::kRouted, .backend = std::move(backend)};
}
inline Expect RoutedByRule(std::string backend, std::string route, int rule, int match) {
  return Expect{.status = DecisionStatus::kRouted,
                .via = Via::kRule,
                .backend = std::move(backend),
                .route = std::move(route),
                .rule = rule,
                .match = match};
}
inline Expect RoutedByHeader(std::string backend, std::string route) {
  return Expect{.status = DecisionStatus::kRouted,
                .via = Via::kStandardHeader,
                .backend = std::move(backend),
                .route = std::move(route),
                .rule = kNone,
                .rule_name = std::string(kNull),
                .match = kNone,
                .model_override = std::string(kNull),
                .fallbacks = "[]"};
}
// no_route carries no route (nor rule, match or backend).
inline Expect NoRoute() {
  return Expect{.status = DecisionStatus::kNoRoute,
                .backend = std::string(kNull),
                .route = std::string(kNull),
                .rule = kNone,
                .match = kNone};
}
// bad_request carries no route and no backend.
inline Expect BadRequest() {
  return Expect{.status = DecisionStatus::kBadRequest,
                .backend = std::string(kNull),
                .route = std::string(kNull)};
}
// backend_not_allowed names the first refusing route saying Reject.
inline Expect NotAllowed(std::string route) {
  return Expect{.status = DecisionStatus::kBackendNotAllowed,
                .via = Via::kStandardHeader,
                .backend = std::string(kNull),
                .route = std::move(route)};
}

}  // namespace llmroute::test

#endif  // LLMROUTE_TESTS_TEST_SUPPORT_H_
