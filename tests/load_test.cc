// The loader: text in every accepted shape, the fields of each kind with their
// defaults and origins, and the errors, each pinned to its line, column and field path.
#include "llmroute/load.h"

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "llmroute/config.h"

namespace llmroute {
namespace {

absl::StatusOr<Config> Load(std::string_view text) { return LoadConfigText(text, "routes.yaml"); }

std::string MessageOf(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

// Checks that `result` is an InvalidArgumentError reading
// "routes.yaml:<line_column>: error: <field>: ...<message_part>...".
::testing::AssertionResult FailsAt(const absl::StatusOr<Config>& result,
                                   std::string_view line_column, std::string_view field,
                                   std::string_view message_part) {
  if (result.ok()) return ::testing::AssertionFailure() << "loaded without an error";
  const std::string message = MessageOf(result.status());
  if (result.status().code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "not InvalidArgument: " << result.status();
  }
  std::string prefix = "routes.yaml:" + std::string(line_column) + ": error: ";
  if (!field.empty()) prefix += std::string(field) + ": ";
  if (message.rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure()
           << "got \"" << message << "\", want the prefix \"" << prefix << "\"";
  }
  if (message.find(message_part, prefix.size()) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "got \"" << message << "\", want it to contain \"" << message_part << "\"";
  }
  return ::testing::AssertionSuccess();
}

// Fails the test (and returns an empty Config) when `text` does not load.
Config MustLoad(std::string_view text) {
  absl::StatusOr<Config> config = Load(text);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : Config();
}

std::string PlaceOf(const Origin& origin) {
  return origin.file + ":" + std::to_string(origin.line) + ":" + std::to_string(origin.column) +
         " " + origin.field;
}

// Every route document below starts with these five lines; specs begin on line 6.
constexpr std::string_view kAIGatewayRouteHead = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata:
  name: r
spec:
)";

constexpr std::string_view kHTTPRouteHead = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
)";

std::string AIGatewayRoute(std::string_view spec) {
  return std::string(kAIGatewayRouteHead) + std::string(spec);
}

std::string HTTPRoute(std::string_view spec) {
  return std::string(kHTTPRouteHead) + std::string(spec);
}

// ---------------------------------------------------------------------------------------
// Accepted input.

TEST(LoadTest, Load_Issue73ExampleLoadsAsWritten) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata:
  name: some-route
  namespace: default
spec:
  inputSchema:
    schema: OpenAI
  rules:
    - matches:
      - headers:
        - type: Exact
          name: some-random-header-that-can-be-sent-directly-by-clients
          value: foo
      backendRefs:
        - name: somebackend
)");
  ASSERT_EQ(config.routes.size(), 1u);
  const Route& route = config.routes[0];
  EXPECT_EQ(route.kind, RouteKind::kLLMRoute);
  EXPECT_EQ(route.name.value, "some-route");
  EXPECT_EQ(route.namespace_, "default");
  ASSERT_EQ(route.rules.size(), 1u);
  ASSERT_EQ(route.rules[0].matches.size(), 1u);
  const RouteMatch& match = route.rules[0].matches[0];
  ASSERT_EQ(match.headers.size(), 1u);
  EXPECT_EQ(match.headers[0].type, MatchType::kExact);
  EXPECT_EQ(match.headers[0].name.value, "some-random-header-that-can-be-sent-directly-by-clients");
  EXPECT_EQ(match.headers[0].value.value, "foo");
  ASSERT_EQ(route.rules[0].backend_refs.size(), 1u);
  EXPECT_EQ(route.rules[0].backend_refs[0].name.value, "somebackend");
  EXPECT_EQ(route.rules[0].backend_refs[0].weight, 1);
  EXPECT_FALSE(route.standard_header.has_value());
  EXPECT_TRUE(config.warnings.empty());
}

TEST(LoadTest, Load_DefaultsFollowGatewayApi) {
  const Config config = MustLoad(R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
  rules:
  - matches:
    - headers:
      - name: x-a
        value: a
      queryParams:
      - name: q
        value: v
    backendRefs:
    - name: b
  - backendRefs:
    - name: c
)");
  ASSERT_EQ(config.routes.size(), 1u);
  const Route& route = config.routes[0];
  EXPECT_EQ(route.namespace_, "default");
  EXPECT_FALSE(route.creation_seconds.has_value());
  EXPECT_TRUE(route.hostnames.empty());
  ASSERT_EQ(route.rules.size(), 2u);
  const RouteMatch& match = route.rules[0].matches[0];
  EXPECT_EQ(match.path.type, MatchType::kPathPrefix);
  EXPECT_EQ(match.path.value.value, "/");
  EXPECT_FALSE(match.method.has_value());
  EXPECT_EQ(match.headers[0].type, MatchType::kExact);
  EXPECT_EQ(match.query_params[0].type, MatchType::kExact);
  const BackendRef& ref = route.rules[0].backend_refs[0];
  EXPECT_EQ(ref.weight, 1);
  EXPECT_EQ(ref.priority, 0);
  EXPECT_FALSE(ref.namespace_.has_value());
  EXPECT_FALSE(ref.model_name_override.has_value());
  EXPECT_FALSE(route.rules[0].name.has_value());
  EXPECT_TRUE(route.rules[1].matches.empty());  // matches everything (the compiler's job)
}

TEST(LoadTest, Load_AIGatewayRouteReadsItsFields) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: chat
  namespace: ai
spec:
  schema:
    name: OpenAI
  hostnames: [api.example.com, "*.example.org"]
  rules:
  - name: gpt
    matches:
    - headers:
      - type: RegularExpression
        name: x-ai-eg-model
        value: gpt-.*
    backendRefs:
    - name: openai
      namespace: shared
      weight: 3
      priority: 1
      modelNameOverride: gpt-4o-2024
)");
  ASSERT_EQ(config.routes.size(), 1u);
  const Route& route = config.routes[0];
  EXPECT_EQ(route.kind, RouteKind::kAIGatewayRoute);
  EXPECT_EQ(route.namespace_, "ai");
  ASSERT_EQ(route.hostnames.size(), 2u);
  EXPECT_EQ(route.hostnames[0].value, "api.example.com");
  EXPECT_EQ(route.hostnames[1].value, "*.example.org");
  ASSERT_TRUE(route.rules[0].name.has_value());
  EXPECT_EQ(route.rules[0].name->value, "gpt");
  EXPECT_EQ(route.rules[0].matches[0].headers[0].type, MatchType::kRegularExpression);
  const BackendRef& ref = route.rules[0].backend_refs[0];
  ASSERT_TRUE(ref.namespace_.has_value());
  EXPECT_EQ(ref.namespace_->value, "shared");
  EXPECT_EQ(ref.weight, 3);
  EXPECT_EQ(ref.priority, 1);
  EXPECT_EQ(ref.model_name_override, "gpt-4o-2024");
}

TEST(LoadTest, Load_AIGatewayRouteSchemaMayBeAString) {
  const Config config = MustLoad(AIGatewayRoute("  schema: OpenAI\n"));
  EXPECT_EQ(config.routes.size(), 1u);
}

TEST(LoadTest, Load_LLMRouteIgnoresFieldsItDoesNotHave) {
  // hostnames, rule names and backendRef namespaces are not LLMRoute fields.
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: r}
spec:
  hostnames: [a.example.com]
  rules:
  - name: named
    backendRefs:
    - {name: b, namespace: other, priority: 4}
)");
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_TRUE(config.routes[0].hostnames.empty());
  EXPECT_FALSE(config.routes[0].rules[0].name.has_value());
  EXPECT_FALSE(config.routes[0].rules[0].backend_refs[0].namespace_.has_value());
  EXPECT_EQ(config.routes[0].rules[0].backend_refs[0].priority, 0);
}

TEST(LoadTest, Load_HTTPRouteReadsTheFullMatch) {
  const Config config = MustLoad(HTTPRoute(R"(  hostnames: [example.com]
  rules:
  - name: exact
    matches:
    - path: {type: Exact, value: /v1/chat/completions}
      method: POST
      headers:
      - {type: RegularExpression, name: X-Tenant, value: "t-[0-9]+"}
      queryParams:
      - {type: RegularExpression, name: api-version, value: "2024-.*"}
    - path: {type: RegularExpression, value: "/v[12]/.*"}
    backendRefs:
    - {name: b, namespace: other, weight: 0}
)"));
  ASSERT_EQ(config.routes.size(), 1u);
  const Route& route = config.routes[0];
  EXPECT_EQ(route.kind, RouteKind::kHTTPRoute);
  ASSERT_EQ(route.rules[0].matches.size(), 2u);
  const RouteMatch& first = route.rules[0].matches[0];
  EXPECT_EQ(first.path.type, MatchType::kExact);
  EXPECT_EQ(first.path.value.value, "/v1/chat/completions");
  ASSERT_TRUE(first.method.has_value());
  EXPECT_EQ(first.method->value, "POST");
  EXPECT_EQ(first.headers[0].type, MatchType::kRegularExpression);
  EXPECT_EQ(first.headers[0].name.value, "X-Tenant");
  EXPECT_EQ(first.query_params[0].name.value, "api-version");
  EXPECT_EQ(first.query_params[0].value.value, "2024-.*");
  EXPECT_EQ(route.rules[0].matches[1].path.type, MatchType::kRegularExpression);
  const BackendRef& ref = route.rules[0].backend_refs[0];
  EXPECT_EQ(ref.weight, 0);
  ASSERT_TRUE(ref.namespace_.has_value());
  EXPECT_EQ(ref.namespace_->value, "other");
}

TEST(LoadTest, Load_HTTPRouteV1beta1IsAccepted) {
  const Config config = MustLoad(R"(apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata: {name: r}
)");
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(LoadTest, Load_PathWithoutValueIsSlashAndWithoutTypeIsPrefix) {
  const Config config = MustLoad(HTTPRoute(R"(  rules:
  - matches:
    - path: {type: Exact}
    - path: {value: /v1}
)"));
  const std::vector<RouteMatch>& matches = config.routes.at(0).rules.at(0).matches;
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].path.type, MatchType::kExact);
  EXPECT_EQ(matches[0].path.value.value, "/");
  EXPECT_EQ(matches[1].path.type, MatchType::kPathPrefix);
  EXPECT_EQ(matches[1].path.value.value, "/v1");
}

TEST(LoadTest, Load_BackendKindsDeclareBackends) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: openai, namespace: ai}
spec:
  schema: {name: OpenAI}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMBackend
metadata: {name: llama}
spec:
  outputSchema: {schema: OpenAI}
)");
  ASSERT_EQ(config.backends.size(), 2u);
  EXPECT_EQ(config.backends[0].kind, BackendKind::kAIServiceBackend);
  EXPECT_EQ(config.backends[0].name.value, "openai");
  EXPECT_EQ(config.backends[0].namespace_, "ai");
  EXPECT_EQ(config.backends[1].kind, BackendKind::kLLMBackend);
  EXPECT_EQ(config.backends[1].namespace_, "default");
  EXPECT_EQ(PlaceOf(config.backends[1].origin), "routes.yaml:7:1 ");
}

TEST(LoadTest, Load_StandardRoutingHeaderIsRead) {
  const Config config = MustLoad(AIGatewayRoute(R"(  standardRoutingHeader:
    enabled: true
    headerName: X-Backend
    allowedBackends: Explicit
    backends: [gpt, other-ns/llama]
    onDisallowed: UseRules
)"));
  ASSERT_EQ(config.routes.size(), 1u);
  ASSERT_TRUE(config.routes[0].standard_header.has_value());
  const StandardRoutingHeader& header = *config.routes[0].standard_header;
  EXPECT_TRUE(header.enabled);
  EXPECT_EQ(header.header_name.value, "X-Backend");
  EXPECT_EQ(header.allowed_backends, AllowedBackends::kExplicit);
  EXPECT_TRUE(header.backends_given);
  ASSERT_EQ(header.backends.size(), 2u);
  EXPECT_EQ(header.backends[1].value, "other-ns/llama");
  EXPECT_EQ(header.on_disallowed, OnDisallowed::kUseRules);
  EXPECT_EQ(PlaceOf(header.origin), "routes.yaml:7:5 spec.standardRoutingHeader");
  EXPECT_EQ(PlaceOf(header.header_name.origin),
            "routes.yaml:8:17 spec.standardRoutingHeader.headerName");
  EXPECT_EQ(PlaceOf(header.backends[1].origin),
            "routes.yaml:10:21 spec.standardRoutingHeader.backends[1]");
}

TEST(LoadTest, Load_EmptyStandardRoutingHeaderSectionIsPresentAndOff) {
  const Config config = MustLoad(AIGatewayRoute("  standardRoutingHeader: {}\n"));
  ASSERT_TRUE(config.routes.at(0).standard_header.has_value());
  const StandardRoutingHeader& header = *config.routes[0].standard_header;
  EXPECT_FALSE(header.enabled);
  EXPECT_EQ(header.header_name.value, "x-ai-gateway-backend");
  EXPECT_EQ(header.allowed_backends, AllowedBackends::kRulesOnly);
  EXPECT_EQ(header.on_disallowed, OnDisallowed::kReject);
  EXPECT_FALSE(header.backends_given);
}

TEST(LoadTest, Load_EmptyBackendsListIsGiven) {
  const Config config =
      MustLoad(AIGatewayRoute("  standardRoutingHeader: {enabled: yes, backends: []}\n"));
  const StandardRoutingHeader& header = config.routes.at(0).standard_header.value();
  EXPECT_TRUE(header.enabled);  // `yes` is a YAML 1.1 boolean
  EXPECT_TRUE(header.backends_given);
  EXPECT_TRUE(header.backends.empty());
}

TEST(LoadTest, Load_NullCountsAsAbsent) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata:
  name: r
  namespace: null
  creationTimestamp: null
spec:
  hostnames: ~
  standardRoutingHeader:
  rules:
  - name: Null
    matches: NULL
    backendRefs:
    - name: b
      weight: ~
      priority:
      namespace: null
)");
  ASSERT_EQ(config.routes.size(), 1u);
  const Route& route = config.routes[0];
  EXPECT_EQ(route.namespace_, "default");
  EXPECT_FALSE(route.creation_seconds.has_value());
  EXPECT_TRUE(route.hostnames.empty());
  EXPECT_FALSE(route.standard_header.has_value());
  EXPECT_FALSE(route.rules[0].name.has_value());
  EXPECT_TRUE(route.rules[0].matches.empty());
  EXPECT_EQ(route.rules[0].backend_refs[0].weight, 1);
  EXPECT_EQ(route.rules[0].backend_refs[0].priority, 0);
  EXPECT_FALSE(route.rules[0].backend_refs[0].namespace_.has_value());
}

TEST(LoadTest, Load_JsonObject) {
  const Config config = MustLoad(R"({"apiVersion": "aigateway.envoyproxy.io/v1alpha1",
 "kind": "AIGatewayRoute", "metadata": {"name": "r", "namespace": "ns"},
 "spec": {"rules": [{"backendRefs": [{"name": "b", "weight": 7}]}]}})");
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_EQ(config.routes[0].namespace_, "ns");
  EXPECT_EQ(config.routes[0].rules.at(0).backend_refs.at(0).weight, 7);
}

TEST(LoadTest, Load_JsonArrayOfObjects) {
  const Config config = MustLoad(R"([
  {"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIServiceBackend",
   "metadata": {"name": "b"}},
  {"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIGatewayRoute",
   "metadata": {"name": "r"}}
])");
  ASSERT_EQ(config.backends.size(), 1u);
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_EQ(PlaceOf(config.routes[0].origin), "routes.yaml:4:3 ");
  EXPECT_EQ(PlaceOf(config.routes[0].name.origin), "routes.yaml:5:25 metadata.name");
}

TEST(LoadTest, Load_KubernetesListInJson) {
  // kubectl prints the keys in this order: `items` before `kind`.
  const Config config = MustLoad(R"({
  "apiVersion": "v1",
  "items": [
    {"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIGatewayRoute",
     "metadata": {"name": "a"}},
    {"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIGatewayRoute",
     "metadata": {"name": "b"}}
  ],
  "kind": "List",
  "metadata": {"resourceVersion": ""}
})");
  ASSERT_EQ(config.routes.size(), 2u);
  EXPECT_EQ(config.routes[0].name.value, "a");
  EXPECT_EQ(config.routes[1].name.value, "b");
}

TEST(LoadTest, Load_KubernetesListInYaml) {
  const Config config = MustLoad(R"(apiVersion: v1
kind: List
items:
- apiVersion: aigateway.envoyproxy.io/v1alpha1
  kind: AIServiceBackend
  metadata:
    name: b
- apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: r
)");
  ASSERT_EQ(config.backends.size(), 1u);
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_EQ(PlaceOf(config.routes[0].origin), "routes.yaml:8:3 ");
}

TEST(LoadTest, Load_ItemsOfAnotherKindAreNotDocuments) {
  // Only a List's items are objects; elsewhere `items` is an unknown field.
  const Config config = MustLoad(R"(apiVersion: example.com/v1
kind: Inventory
items:
- apiVersion: aigateway.envoyproxy.io/v1alpha1
  kind: AIGatewayRoute
  metadata: {name: r}
)");
  EXPECT_TRUE(config.routes.empty());
  ASSERT_EQ(config.warnings.size(), 1u);
}

TEST(LoadTest, Load_YamlFlowStyleIsNotMistakenForJson) {
  const Config config = MustLoad(
      "{apiVersion: aigateway.envoyproxy.io/v1alpha1, kind: LLMRoute, metadata: {name: r}}\n");
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_EQ(PlaceOf(config.routes[0].name.origin), "routes.yaml:1:81 metadata.name");
}

TEST(LoadTest, Load_JsonDocumentsSeparatedByDashesAreYamlDocuments) {
  const Config config = MustLoad(R"({"kind": "Service"}
---
{"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "LLMRoute", "metadata": {"name": "r"}}
)");
  EXPECT_EQ(config.routes.size(), 1u);
  EXPECT_EQ(config.warnings.size(), 1u);
}

TEST(LoadTest, Load_JsonEscapesAreDecoded) {
  const Config config =
      MustLoad(R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
 "metadata": {"name": "r"},
 "spec": {"rules": [{"matches": [{"headers": [
   {"name": "x-a", "value": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \t"}]}]}]}})");
  EXPECT_EQ(config.routes.at(0).rules.at(0).matches.at(0).headers.at(0).value.value,
            "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \t");
}

TEST(LoadTest, Load_LargeYamlListLoadsItemByItem) {
  std::string text = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; text.size() <= 2 * kMaxDocumentBytes; ++i) {
    text +=
        "- apiVersion: aigateway.envoyproxy.io/v1alpha1\n  kind: LLMBackend\n  metadata:\n"
        "    name: b" +
        std::to_string(i) + "\n    annotations: {pad: " + std::string(400, 'x') + "}\n";
  }
  const Config config = MustLoad(text);
  EXPECT_GT(config.backends.size(), 4000u);
}

TEST(LoadTest, Load_MultiDocumentYaml) {
  const Config config = MustLoad(R"(---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: a}
---
# a comment-only document
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: b}
...
---
)");
  ASSERT_EQ(config.routes.size(), 2u);
  EXPECT_EQ(config.routes[0].name.value, "a");
  EXPECT_EQ(config.routes[1].name.value, "b");
  EXPECT_EQ(PlaceOf(config.routes[1].name.origin), "routes.yaml:10:18 metadata.name");
}

TEST(LoadTest, Load_EmptyTextIsAnEmptyConfig) {
  for (std::string_view text : {"", "\n", "# nothing\n", "---\n", "---\n---\n", "~\n", "[]\n"}) {
    const absl::StatusOr<Config> config = Load(text);
    ASSERT_TRUE(config.ok()) << config.status() << " for \"" << text << "\"";
    EXPECT_TRUE(config->routes.empty());
    EXPECT_TRUE(config->warnings.empty());
  }
}

TEST(LoadTest, Load_CreationTimestampIsParsed) {
  struct Case {
    std::string_view text;
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c : {
           Case{"2024-01-02T03:04:05Z", 1704164645, 0},
           Case{"\"2024-01-02T03:04:05Z\"", 1704164645, 0},
           Case{"2024-01-02T03:04:05.25Z", 1704164645, 250000000},
           Case{"2024-01-02T05:04:05+02:00", 1704164645, 0},
           Case{"1969-12-31T23:59:59.5Z", -1, 500000000},
       }) {
    const Config config = MustLoad(std::string(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata:
  name: r
  creationTimestamp: )") + std::string(c.text) +
                                   "\n");
    ASSERT_EQ(config.routes.size(), 1u) << c.text;
    EXPECT_EQ(config.routes[0].creation_seconds, c.seconds) << c.text;
    EXPECT_EQ(config.routes[0].creation_nanos, c.nanos) << c.text;
  }
}

TEST(LoadTest, Load_UnknownKindIsWarnedAndSkipped) {
  const Config config = MustLoad(R"(apiVersion: v1
kind: Service
metadata: {name: s}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r}
)");
  EXPECT_EQ(config.routes.size(), 1u);
  ASSERT_EQ(config.warnings.size(), 1u);
  const Diagnostic& warning = config.warnings[0];
  EXPECT_EQ(warning.severity, Severity::kWarning);
  EXPECT_EQ(PlaceOf(warning.where), "routes.yaml:2:7 kind");
  EXPECT_NE(warning.message.find("unknown kind \"Service\""), std::string::npos) << warning.message;
}

TEST(LoadTest, Load_KnownKindWithUnlistedApiVersionIsWarnedAndSkipped) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v2
kind: AIGatewayRoute
metadata: {name: r}
---
kind: HTTPRoute
metadata: {name: h}
---
apiVersion: example.com/v1
kind: AIServiceBackend
metadata: {name: b}
)");
  EXPECT_TRUE(config.routes.empty());
  EXPECT_TRUE(config.backends.empty());
  ASSERT_EQ(config.warnings.size(), 3u);
  EXPECT_EQ(PlaceOf(config.warnings[0].where), "routes.yaml:2:7 kind");
  EXPECT_NE(config.warnings[0].message.find("\"aigateway.envoyproxy.io/v2\""), std::string::npos)
      << config.warnings[0].message;
  EXPECT_EQ(PlaceOf(config.warnings[1].where), "routes.yaml:5:7 kind");
  EXPECT_EQ(PlaceOf(config.warnings[2].where), "routes.yaml:9:7 kind");
}

TEST(LoadTest, Load_UnknownFieldsAreIgnored) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata:
  name: r
  labels: {app: x}
  annotations: {note: 1}
  managedFields: [{manager: kubectl, time: 3}]
  uid: 1234
spec:
  targetRefs: [{name: gw, kind: Gateway, group: gateway.networking.k8s.io}]
  rules:
  - timeouts: {request: 60s}
    backendRefs: [{name: b, unknown: [1, 2]}]
status:
  conditions: 12
)");
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(LoadTest, Load_QuotedAndStrTaggedScalarsAreStrings) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata:
  name: "1"
  namespace: !!str 2
spec:
  rules:
  - matches:
    - headers:
      - {name: x-a, value: 'true'}
      - {name: x-b, value: "1.5"}
      - name: x-c
        value: |
          yes
)");
  const Route& route = config.routes.at(0);
  EXPECT_EQ(route.name.value, "1");
  EXPECT_EQ(route.namespace_, "2");
  const std::vector<ValueMatch>& headers = route.rules.at(0).matches.at(0).headers;
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].value.value, "true");
  EXPECT_EQ(headers[1].value.value, "1.5");
  EXPECT_EQ(headers[2].value.value, "yes\n");
}

TEST(LoadTest, Load_ValuesAreTakenAsWritten) {
  const Config config = MustLoad(HTTPRoute(R"(  rules:
  - matches:
    - path: {type: Exact, value: "/a%20b/%2F"}
      headers: [{name: X-Model-Name, value: "GPT 4o "}]
      queryParams: [{name: "a%20b", value: "c+d"}]
)"));
  const RouteMatch& match = config.routes.at(0).rules.at(0).matches.at(0);
  EXPECT_EQ(match.path.value.value, "/a%20b/%2F");
  EXPECT_EQ(match.headers.at(0).name.value, "X-Model-Name");
  EXPECT_EQ(match.headers.at(0).value.value, "GPT 4o ");
  EXPECT_EQ(match.query_params.at(0).name.value, "a%20b");
  EXPECT_EQ(match.query_params.at(0).value.value, "c+d");
}

TEST(LoadTest, Load_OriginsPointAtEachValue) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata:
  name: r
spec:
  hostnames:
  - a.example.com
  rules:
  - name: first
    matches:
    - path:
        value: /v1
      method: POST
      headers:
      - name: x-ai-eg-model
        value: gpt
      queryParams:
      - name: q
        value: v
    backendRefs:
    - name: b
      weight: 2
      priority: 1
)");
  ASSERT_EQ(config.routes.size(), 1u);
  const Route& route = config.routes[0];
  EXPECT_EQ(PlaceOf(route.origin), "routes.yaml:1:1 ");
  EXPECT_EQ(PlaceOf(route.name.origin), "routes.yaml:4:9 metadata.name");
  EXPECT_EQ(PlaceOf(route.hostnames[0].origin), "routes.yaml:7:5 spec.hostnames[0]");
  const Rule& rule = route.rules[0];
  EXPECT_EQ(PlaceOf(rule.origin), "routes.yaml:9:5 spec.rules[0]");
  EXPECT_EQ(PlaceOf(rule.name->origin), "routes.yaml:9:11 spec.rules[0].name");
  const RouteMatch& match = rule.matches[0];
  EXPECT_EQ(PlaceOf(match.origin), "routes.yaml:11:7 spec.rules[0].matches[0]");
  EXPECT_EQ(PlaceOf(match.path.value.origin),
            "routes.yaml:12:16 spec.rules[0].matches[0].path.value");
  EXPECT_EQ(PlaceOf(match.method->origin), "routes.yaml:13:15 spec.rules[0].matches[0].method");
  EXPECT_EQ(PlaceOf(match.headers[0].origin),
            "routes.yaml:15:9 spec.rules[0].matches[0].headers[0]");
  EXPECT_EQ(PlaceOf(match.headers[0].name.origin),
            "routes.yaml:15:15 spec.rules[0].matches[0].headers[0].name");
  EXPECT_EQ(PlaceOf(match.headers[0].value.origin),
            "routes.yaml:16:16 spec.rules[0].matches[0].headers[0].value");
  EXPECT_EQ(PlaceOf(match.query_params[0].value.origin),
            "routes.yaml:19:16 spec.rules[0].matches[0].queryParams[0].value");
  const BackendRef& ref = rule.backend_refs[0];
  EXPECT_EQ(PlaceOf(ref.origin), "routes.yaml:21:7 spec.rules[0].backendRefs[0]");
  EXPECT_EQ(PlaceOf(ref.name.origin), "routes.yaml:21:13 spec.rules[0].backendRefs[0].name");
  EXPECT_EQ(PlaceOf(ref.weight_origin), "routes.yaml:22:15 spec.rules[0].backendRefs[0].weight");
  EXPECT_EQ(PlaceOf(ref.priority_origin),
            "routes.yaml:23:17 spec.rules[0].backendRefs[0].priority");
}

TEST(LoadTest, Load_DefaultedValuesPointAtTheirParent) {
  const Config config = MustLoad(AIGatewayRoute(R"(  rules:
  - matches:
    - headers: [{name: a, value: b}]
    backendRefs:
    - name: b
  standardRoutingHeader:
    enabled: true
)"));
  const Route& route = config.routes.at(0);
  const RouteMatch& match = route.rules.at(0).matches.at(0);
  EXPECT_EQ(PlaceOf(match.path.value.origin), "routes.yaml:8:7 spec.rules[0].matches[0]");
  const BackendRef& ref = route.rules[0].backend_refs.at(0);
  EXPECT_EQ(PlaceOf(ref.weight_origin), "routes.yaml:10:7 spec.rules[0].backendRefs[0]");
  EXPECT_EQ(PlaceOf(route.standard_header->header_name.origin),
            "routes.yaml:12:5 spec.standardRoutingHeader");
}

TEST(LoadTest, Load_OriginsNameTheFileGiven) {
  const absl::StatusOr<Config> config = LoadConfigText(
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\nmetadata: {name: r}\n",
      "conf/a.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(PlaceOf(config->routes.at(0).name.origin), "conf/a.yaml:3:18 metadata.name");
}

TEST(LoadTest, Load_IntegersInEveryYamlForm) {
  const Config config = MustLoad(AIGatewayRoute(R"(  rules:
  - backendRefs:
    - {name: a, weight: 0x10}
    - {name: b, weight: 0o10}
    - {name: c, weight: 010}
    - {name: d, weight: 0b11}
    - {name: e, weight: 1_000}
    - {name: f, weight: +5, priority: 0}
)"));
  const std::vector<BackendRef>& refs = config.routes.at(0).rules.at(0).backend_refs;
  ASSERT_EQ(refs.size(), 6u);
  EXPECT_EQ(refs[0].weight, 16);
  EXPECT_EQ(refs[1].weight, 8);
  EXPECT_EQ(refs[2].weight, 8);
  EXPECT_EQ(refs[3].weight, 3);
  EXPECT_EQ(refs[4].weight, 1000);
  EXPECT_EQ(refs[5].weight, 5);
}

TEST(LoadTest, Load_AnchorsAliasesAndMergeKeys) {
  const Config config = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
  - matches: &gpt
    - headers: [{name: x-ai-eg-model, value: gpt}]
    backendRefs:
    - &base {name: b, weight: 5}
    - <<: *base
      name: c
  - matches: *gpt
)");
  const Route& route = config.routes.at(0);
  ASSERT_EQ(route.rules.size(), 2u);
  const std::vector<BackendRef>& refs = route.rules[0].backend_refs;
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[1].name.value, "c");
  EXPECT_EQ(refs[1].weight, 5);
  ASSERT_EQ(route.rules[1].matches.size(), 1u);
  EXPECT_EQ(route.rules[1].matches[0].headers.at(0).value.value, "gpt");
}

TEST(LoadTest, Load_ListLargerThanOneMiBLoadsItemByItem) {
  // Each item is a document of its own for the 1 MiB limit.
  std::string text = "[\n";
  const std::string padding(1000, 'x');
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) text += ",\n";
    text += R"({"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIServiceBackend", )"
            R"("metadata": {"name": "b)" +
            std::to_string(i) + R"(", "annotations": {"pad": ")" + padding + "\"}}}";
  }
  text += "\n]\n";
  ASSERT_GT(text.size(), kMaxDocumentBytes);
  const Config config = MustLoad(text);
  ASSERT_EQ(config.backends.size(), 2000u);
  EXPECT_EQ(config.backends[1999].name.value, "b1999");
  EXPECT_EQ(config.backends[1999].origin.line, 2001);
}

TEST(LoadTest, Load_WarningsAreCappedPerFile) {
  std::string text;
  for (int i = 0; i < 1500; ++i) text += "---\nkind: Service\n";
  const Config config = MustLoad(text);
  ASSERT_EQ(config.warnings.size(), 1001u);
  EXPECT_NE(config.warnings.back().message.find("500 more warnings"), std::string::npos)
      << config.warnings.back().message;
}

// ---------------------------------------------------------------------------------------
// Errors: each names line:column, the field path and the problem.

TEST(LoadTest, Load_PlainIntegerIsNotAString) {
  EXPECT_TRUE(FailsAt(Load(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata:
  name: 1
)"),
                      "4:9", "metadata.name",
                      "expected a string, got integer (quote it to make it a string)"));
}

TEST(LoadTest, Load_PlainTrueIsNotAString) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - matches:
    - headers:
      - name: x-stream
        value: true
)")),
                      "10:16", "spec.rules[0].matches[0].headers[0].value",
                      "expected a string, got boolean (quote it"));
}

TEST(LoadTest, Load_PlainYesIsNotAString) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - matches:
    - headers:
      - {name: a, value: b}
      - {name: x-opt-in, value: yes}
)")),
                      "10:33", "spec.rules[0].matches[0].headers[1].value",
                      "expected a string, got boolean"));
}

TEST(LoadTest, Load_PlainFloatIsNotAString) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - backendRefs:
    - {name: b, modelNameOverride: 4.1}
)")),
                      "8:36", "spec.rules[0].backendRefs[0].modelNameOverride",
                      "expected a string, got float (quote it"));
}

TEST(LoadTest, Load_PlainNumberIsNotAHostname) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute("  hostnames: [a.example.com, 0x1F]\n")), "6:30",
                      "spec.hostnames[1]", "expected a string, got integer"));
}

TEST(LoadTest, Load_QuotedIntegerIsNotAWeight) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - backendRefs:
    - name: b
      weight: "1"
)")),
                      "9:15", "spec.rules[0].backendRefs[0].weight",
                      "expected an integer, got string (remove the quotes)"));
}

TEST(LoadTest, Load_FloatIsNotAWeight) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - backendRefs: [{name: b, weight: 1.0}]
)")),
                      "7:37", "spec.rules[0].backendRefs[0].weight",
                      "expected an integer, got float"));
}

TEST(LoadTest, Load_QuotedBooleanIsNotEnabled) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  standardRoutingHeader:
    enabled: "true"
)")),
                      "7:14", "spec.standardRoutingHeader.enabled",
                      "expected a boolean, got string (remove the quotes)"));
}

TEST(LoadTest, Load_ListWhereAMappingBelongs) {
  EXPECT_TRUE(FailsAt(Load(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata:
  - name: r
)"),
                      "4:3", "metadata", "expected a mapping, got list"));
}

TEST(LoadTest, Load_MappingWhereAListBelongs) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
    backendRefs:
    - name: b
)")),
                      "7:5", "spec.rules", "expected a list, got mapping"));
}

TEST(LoadTest, Load_ScalarWhereARuleBelongs) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute("  rules: [a, b]\n")), "6:11", "spec.rules[0]",
                      "expected a mapping, got string"));
}

TEST(LoadTest, Load_NullListItemIsAnError) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - backendRefs:
    -
    - name: b
)")),
                      "9:5", "spec.rules[0].backendRefs[0]", "expected a mapping, got null"));
}

TEST(LoadTest, Load_NegativeWeightIsAnError) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - backendRefs:
    - name: b
      weight: -1
)")),
                      "9:15", "spec.rules[0].backendRefs[0].weight",
                      "weight must not be negative"));
}

TEST(LoadTest, Load_NegativePriorityIsAnError) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - backendRefs:
    - name: b
    - name: c
      priority: -2
)")),
                      "10:17", "spec.rules[0].backendRefs[1].priority",
                      "priority must not be negative"));
}

TEST(LoadTest, Load_IntegerOutOfRangeIsAnError) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - backendRefs: [{name: b, weight: 99999999999999999999}]
)")),
                      "7:37", "spec.rules[0].backendRefs[0].weight", "out of range"));
}

TEST(LoadTest, Load_UnknownAllowedBackendsIsAnError) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  standardRoutingHeader:
    enabled: true
    allowedBackends: Everyone
)")),
                      "8:22", "spec.standardRoutingHeader.allowedBackends",
                      "unknown value \"Everyone\" (expected RulesOnly, SameNamespace, Explicit)"));
}

TEST(LoadTest, Load_UnknownOnDisallowedIsAnError) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute("  standardRoutingHeader: {onDisallowed: reject}\n")),
                      "6:41", "spec.standardRoutingHeader.onDisallowed",
                      "unknown value \"reject\""));
}

TEST(LoadTest, Load_UnknownPathTypeIsAnError) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - matches:
    - path:
        type: Prefix
        value: /v1
)")),
                      "9:15", "spec.rules[0].matches[0].path.type",
                      "unknown value \"Prefix\" (expected Exact, PathPrefix, RegularExpression)"));
}

TEST(LoadTest, Load_PathPrefixIsNotAHeaderMatchType) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - matches:
    - headers:
      - type: PathPrefix
        name: x
        value: y
)")),
                      "9:15", "spec.rules[0].matches[0].headers[0].type",
                      "unknown value \"PathPrefix\" (expected Exact, RegularExpression)"));
}

TEST(LoadTest, Load_UnknownQueryParamMatchTypeIsAnError) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - matches:
    - queryParams: [{type: exact, name: q, value: v}]
)")),
                      "8:28", "spec.rules[0].matches[0].queryParams[0].type",
                      "unknown value \"exact\""));
}

TEST(LoadTest, Load_BadCreationTimestampIsAnError) {
  for (std::string_view bad : {"yesterday", "\"2024-01-02 03:04:05Z\"", "2024-01-02T03:04:05",
                               "\"infinite-future\"", "2024-13-02T03:04:05Z"}) {
    EXPECT_TRUE(FailsAt(Load(std::string(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata:
  name: r
  creationTimestamp: )") + std::string(bad) +
                             "\n"),
                        "5:22", "metadata.creationTimestamp", "expected RFC 3339"))
        << bad;
  }
}

TEST(LoadTest, Load_MissingMetadataNameIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata:
  namespace: ai
)"),
                      "4:3", "metadata.name", "required field is missing"));
}

TEST(LoadTest, Load_MissingMetadataIsAnErrorAtTheDocument) {
  EXPECT_TRUE(FailsAt(Load(R"(# a route
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
)"),
                      "2:1", "metadata.name", "required field is missing"));
}

TEST(LoadTest, Load_EmptyMetadataNameIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: ""}
)"),
                      "3:18", "metadata.name", "must not be empty"));
}

TEST(LoadTest, Load_DuplicateKeyIsAnError) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - backendRefs:
    - name: a
      weight: 1
      name: b
)")),
                      "10:7", "spec.rules[0].backendRefs[0].name",
                      "duplicate key \"name\" (first at line 8)"));
}

TEST(LoadTest, Load_DuplicateKeyInALargeMappingIsAnError) {
  std::string text = "apiVersion: v1\nkind: ConfigMap\ndata:\n";
  for (int i = 0; i < 40; ++i) text += "  k" + std::to_string(i) + ": v\n";
  text += "  k7: again\n";
  EXPECT_TRUE(FailsAt(Load(text), "44:3", "data.k7", "duplicate key \"k7\" (first at line 11)"));
}

TEST(LoadTest, Load_DuplicateTopLevelKeyIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"({"kind": "LLMRoute", "kind": "HTTPRoute"})"), "1:22", "kind",
                      "duplicate key"));
}

TEST(LoadTest, Load_YamlSyntaxErrorIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"(apiVersion: v1
kind: List
items: [a, b
)"),
                      "4:1", "", "invalid YAML: "));
}

TEST(LoadTest, Load_JsonSyntaxErrorIsReportedAsJson) {
  EXPECT_TRUE(FailsAt(Load("[\n  {\"kind\": \"Service\"}\n  {\"kind\": \"Service\"}\n]\n"), "3:3",
                      "", "invalid JSON: expected ',' or ']'"));
}

TEST(LoadTest, Load_JsonLoneSurrogateIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"({"kind": "Service", "note": "\ud800"})"), "1:36", "",
                      "invalid JSON: lone high surrogate"));
}

TEST(LoadTest, Load_BadIndentationIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"(kind: LLMRoute
metadata:
  name: a
   namespace: b
)"),
                      "4:13", "", "invalid YAML: "));
}

TEST(LoadTest, Load_DocumentOverOneMiBIsAnError) {
  std::string text = "apiVersion: v1\nkind: ConfigMap\ndata:\n";
  while (text.size() <= kMaxDocumentBytes) text += "  k" + std::to_string(text.size()) + ": v\n";
  text += "---\nkind: Other\n";
  EXPECT_TRUE(FailsAt(Load(text), "1:1", "", "document is larger than the limit of 1048576 bytes"));
}

TEST(LoadTest, Load_DocumentEndingInAHugeScalarIsAnError) {
  const std::string text =
      "kind: ConfigMap\ndata: \"" + std::string(kMaxDocumentBytes, 'x') + "\"\n";
  EXPECT_TRUE(FailsAt(Load(text), "1:1", "", "document is larger than"));
}

TEST(LoadTest, Load_FlowCollectionOverOneMiBIsAnError) {
  std::string text = "kind: ConfigMap\ndata: [";
  while (text.size() <= 2 * kMaxDocumentBytes) text += "a, ";
  text += "a]\n";
  EXPECT_TRUE(FailsAt(Load(text), "1:1", "", "document is larger than"));
}

TEST(LoadTest, Load_TextOverTheFileLimitIsAnError) {
  const std::string text(kMaxFileBytes + 1, ' ');
  const absl::StatusOr<Config> config = Load(text);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(MessageOf(config.status()),
            "routes.yaml: error: config text is larger than the limit of 67108864 bytes");
}

TEST(LoadTest, Load_ListItemOverOneMiBIsAnError) {
  const std::string text =
      "apiVersion: v1\nkind: List\nitems:\n- kind: Service\n- kind: ConfigMap\n"
      "  data: {a: \"" +
      std::string(kMaxDocumentBytes, 'x') + "\"}\n";
  EXPECT_TRUE(FailsAt(Load(text), "5:3", "", "document is larger than"));
}

TEST(LoadTest, Load_BackendRefWithoutNameIsAnError) {
  EXPECT_TRUE(FailsAt(Load(AIGatewayRoute(R"(  rules:
  - backendRefs:
    - weight: 1
)")),
                      "8:7", "spec.rules[0].backendRefs[0].name", "required field is missing"));
}

TEST(LoadTest, Load_BackendRefWithEmptyNameIsAnError) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute("  rules: [{backendRefs: [{name: ''}]}]\n")), "6:33",
                      "spec.rules[0].backendRefs[0].name", "must not be empty"));
}

TEST(LoadTest, Load_HeaderMatchWithoutValueIsAnError) {
  EXPECT_TRUE(FailsAt(Load(HTTPRoute(R"(  rules:
  - matches:
    - headers:
      - name: x-a
)")),
                      "9:9", "spec.rules[0].matches[0].headers[0].value",
                      "required field is missing"));
}

TEST(LoadTest, Load_NonMappingDocumentIsAnError) {
  EXPECT_TRUE(FailsAt(Load("kind: LLMRoute\n---\njust a string\n"), "3:1", "",
                      "a document must be a mapping (a Kubernetes object), got string"));
}

TEST(LoadTest, Load_NonObjectInAJsonArrayIsAnError) {
  EXPECT_TRUE(FailsAt(Load("[\n  {\"kind\": \"Service\"},\n  [1, 2]\n]\n"), "3:3", "",
                      "a document must be a mapping (a Kubernetes object), got list"));
}

TEST(LoadTest, Load_MissingKindIsAnError) {
  EXPECT_TRUE(FailsAt(Load(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
metadata:
  name: r
)"),
                      "1:1", "kind", "required field is missing"));
}

TEST(LoadTest, Load_KindOfTheWrongTypeIsAnError) {
  EXPECT_TRUE(FailsAt(Load("kind: [LLMRoute]\n"), "1:7", "kind", "expected a string, got list"));
}

TEST(LoadTest, Load_ErrorInAListItemHasAPathRelativeToTheItem) {
  EXPECT_TRUE(FailsAt(Load(R"({"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIServiceBackend",
   "metadata": {"name": "a"}},
  {"apiVersion": "aigateway.envoyproxy.io/v1alpha1", "kind": "AIServiceBackend",
   "metadata": {"name": 2}}
]})"),
                      "5:25", "metadata.name", "expected a string, got integer"));
}

TEST(LoadTest, Load_ErrorInAListItemWinsOnlyForAList) {
  // The same items under a kind that is not List are an unknown field: no error.
  const absl::StatusOr<Config> config = Load(R"({"apiVersion": "example.com/v1",
 "items": [{"kind": "AIServiceBackend", "metadata": {"name": 2}}],
 "kind": "Inventory"})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->warnings.size(), 1u);
}

TEST(LoadTest, Load_RecursiveAliasIsAnError) {
  EXPECT_TRUE(FailsAt(Load("kind: Service\nspec: &a {b: *a}\n"), "2:14", "spec.b",
                      "an alias may not refer to a value that contains it"));
}

TEST(LoadTest, Load_AliasBombIsAnError) {
  std::string text = "kind: Service\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string previous = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + previous;
    for (int j = 1; j < 10; ++j) text += ", " + previous;
    text += "]\n";
  }
  const absl::StatusOr<Config> config = Load(text);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(MessageOf(config.status()).find("once its aliases are expanded"), std::string::npos)
      << config.status();
}

TEST(LoadTest, Load_DeepNestingFailsCleanly) {
  for (std::string_view open : {"[", "{a: ", "- "}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += open;
    const absl::StatusOr<Config> config = Load(text);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(MessageOf(config.status()).find("invalid YAML: "), std::string::npos)
        << config.status();
  }
}

TEST(LoadTest, Load_StrayCommaIsAnErrorNotALoop) {
  // yaml-cpp 0.7 alone starts empty documents here forever.
  EXPECT_TRUE(FailsAt(Load("kind: Service\n---\n[{kind: S}],\n"), "3:12", "",
                      "invalid YAML: unexpected \",\""));
}

TEST(LoadTest, Load_BinaryGarbageFailsCleanly) {
  std::mt19937 random(20240102);
  for (int round = 0; round < 200; ++round) {
    std::string text(1 + random() % 2000, '\0');
    for (char& c : text) c = static_cast<char>(random());
    const absl::StatusOr<Config> config = Load(text);
    if (!config.ok()) {
      EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
    }
  }
}

TEST(LoadTest, Load_TooManyObjectsIsAnError) {
  std::string text;
  for (int i = 0; i <= 65536; ++i) text += "- {kind: S}\n";
  EXPECT_TRUE(FailsAt(Load(text), "65537:3", "", "more than 65536 objects"));
}

// ---------------------------------------------------------------------------------------
// Files.

class LoadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/llmroute_load_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& file : files_) std::remove(file.c_str());
    rmdir(dir_.c_str());
  }
  std::string Write(const std::string& name, std::string_view text) {
    const std::string path = dir_ + "/" + name;
    std::FILE* file = std::fopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    if (file == nullptr) return path;
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
    files_.push_back(path);
    return path;
  }

  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(LoadFileTest, Load_FileErrorsNameTheFile) {
  const std::string path =
      Write("bad.yaml",
            "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\nmetadata: {name: 1}\n");
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(MessageOf(config.status()),
            path +
                ":3:18: error: metadata.name: expected a string, got integer (quote it to "
                "make it a string)");
}

TEST_F(LoadFileTest, Load_MissingFileIsNotFound) {
  const std::string path = dir_ + "/missing.yaml";
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(MessageOf(config.status()), path + ": error: cannot read: No such file or directory");
}

// What loading `unreadable` gives as the current user: "" when it is PermissionDenied with
// the CLI's message; otherwise what went wrong. `readable`, in the same folder, must load
// past reading (so the folder itself is not what refuses).
std::string CheckPermissionDenied(const std::string& readable, const std::string& unreadable) {
  const absl::StatusOr<Config> control = LoadConfigFile(readable);
  if (!control.ok() && (control.status().code() == absl::StatusCode::kPermissionDenied ||
                        control.status().code() == absl::StatusCode::kNotFound)) {
    return "the readable file was not read: " + MessageOf(control.status());
  }
  const absl::StatusOr<Config> config = LoadConfigFile(unreadable);
  if (config.ok()) return "the unreadable file loaded";
  if (config.status().code() != absl::StatusCode::kPermissionDenied) {
    return "not PermissionDenied: " + MessageOf(config.status());
  }
  const std::string want = unreadable + ": error: cannot read: Permission denied";
  if (MessageOf(config.status()) != want) return "message: " + MessageOf(config.status());
  return "";
}

// Root reads every file whatever its mode: as root, the check runs in a child process that
// has become the unprivileged user nobody (65534).
TEST_F(LoadFileTest, Load_UnreadableFileIsPermissionDenied) {
  const std::string readable = Write("public.yaml", "kind: Service\n");
  const std::string path = Write("secret.yaml", "kind: Service\n");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  ASSERT_EQ(chmod(readable.c_str(), 0644), 0);
  if (geteuid() != 0) {
    EXPECT_EQ(CheckPermissionDenied(readable, path), "");
    return;
  }
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);  // nobody may enter the folder
  int result[2];
  ASSERT_EQ(pipe(result), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(result[0]);
    std::string failure;
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0 ||
        geteuid() != 65534) {
      failure = "cannot become nobody";
    } else {
      failure = CheckPermissionDenied(readable, path);
    }
    const ssize_t written = write(result[1], failure.data(), failure.size());
    _exit(written == static_cast<ssize_t>(failure.size()) ? 0 : 1);
  }
  close(result[1]);
  std::string failure;
  char buffer[512];
  for (ssize_t n; (n = read(result[0], buffer, sizeof buffer)) > 0;) failure.append(buffer, n);
  close(result[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  EXPECT_EQ(failure, "");
}

TEST_F(LoadFileTest, Load_FileOverTheLimitIsAnError) {
  const std::string path = Write("huge.yaml", "");
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(kMaxFileBytes) + 1), 0);
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MessageOf(config.status()),
            path + ": error: file is larger than the limit of 67108864 bytes");
}

TEST_F(LoadFileTest, Load_DirectoryIsNotReadable) {
  const absl::StatusOr<Config> config = LoadConfigFile(dir_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(MessageOf(config.status()), dir_ + ": error: cannot read: Is a directory");
}

TEST_F(LoadFileTest, Load_SeveralFilesMergeInOrder) {
  const std::string first = Write("a.yaml", R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: a}
)");
  const std::string second = Write("b.json", R"({"apiVersion": "v1", "kind": "Service"})");
  const std::string third = Write("c.yaml", R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: c}
)");
  const std::vector<std::string> paths = {first, second, third};
  const absl::StatusOr<Config> config = LoadConfigFiles(paths);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->routes.size(), 2u);
  EXPECT_EQ(config->routes[0].name.value, "a");
  EXPECT_EQ(config->routes[0].name.origin.file, first);
  EXPECT_EQ(config->routes[1].name.value, "c");
  EXPECT_EQ(config->routes[1].name.origin.file, third);
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0].where.file, second);
}

TEST_F(LoadFileTest, Load_FirstBadFileStopsTheLoad) {
  const std::string good = Write("good.yaml", "kind: Service\n");
  const std::string bad = Write("bad.yaml", "kind: [\n");
  const std::vector<std::string> paths = {good, bad, dir_ + "/never-read.yaml"};
  const absl::StatusOr<Config> config = LoadConfigFiles(paths);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(MessageOf(config.status()).rfind(bad + ":", 0), 0u) << config.status();
}

TEST(LoadTest, Load_MergeConfigAppendsEverything) {
  Config into = MustLoad(
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\nmetadata: {name: a}\n");
  Config more = MustLoad(R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: b}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMBackend
metadata: {name: x}
---
kind: Service
)");
  MergeConfig(into, std::move(more));
  ASSERT_EQ(into.routes.size(), 2u);
  EXPECT_EQ(into.routes[1].name.value, "b");
  EXPECT_EQ(into.backends.size(), 1u);
  EXPECT_EQ(into.warnings.size(), 1u);
}

}  // namespace
}  // namespace llmroute
