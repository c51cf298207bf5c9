// Differential test: the library's RoutingTable::Resolve against the reference resolver
// (tests/reference/), on random tables and random requests drawn toward the tables' own
// values. Every decision field must agree (fallbacks in order, `affinity` and `panic`
// included), and a standard-header decision must name a backend on the reported route's
// allowlist. Tables carry session affinity (route, rule and compile-option default; header
// or body field) and requests carry affinity keys and, for about a third, a health view
// with some backends down (sometimes a rule's whole first tier, sometimes every backend).
//
// Environment:
//   LLMROUTE_DIFFERENTIAL_COMPARISONS  how many requests to compare (default 200000)
//   LLMROUTE_DIFFERENTIAL_SEED         the first table's seed (default fixed, so CI repeats)
// scripts/differential.sh runs 10 million with a fresh seed.
//
// A disagreement prints the seed, then a shrunk reproducer: the config text, the compile
// options, the request, and both decisions.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/config.h"
#include "llmroute/health.h"
#include "llmroute/load.h"
#include "llmroute/table.h"
#include "reference/reference_resolver.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

using reference::Outcome;
using reference::ReferenceResolver;

// ---------------------------------------------------------------------------------------
// A table as the generator builds it, rendered to YAML for the loader.

struct GenCondition {  // a header or query-parameter match
  std::string name;
  bool regex = false;
  bool type_written = false;  // absent `type` defaults to Exact
  std::string value;
};

struct GenMatch {
  int path_type = -1;  // -1 no `path`; 0 Exact; 1 PathPrefix; 2 RegularExpression
  std::string path;
  std::optional<std::string> method;
  std::vector<GenCondition> headers;
  std::vector<GenCondition> queries;
};

struct GenRef {
  std::string name;
  std::optional<std::string> ns;
  std::optional<int> weight;
  std::optional<int> priority;
  std::optional<std::string> model_override;
};

struct GenRetry {  // a rule's `retry`; an absent field takes its default
  std::vector<int> codes;
  std::optional<int> attempts;
  std::optional<std::string> backoff;
};

struct GenAffinity {  // `sessionAffinity`: a header or a top-level body field
  bool header = true;
  std::string name;
};

struct GenRule {
  std::optional<std::string> name;
  bool matches_written = true;  // false: no `matches` (one implicit match)
  std::vector<GenMatch> matches;
  std::vector<GenRef> refs;
  std::optional<GenRetry> retry;
  std::optional<GenAffinity> affinity;
};

struct GenStandardHeader {
  bool enabled = true;
  std::optional<std::string> header_name;
  std::optional<std::string> allowed;  // RulesOnly | SameNamespace | Explicit
  std::vector<std::string> backends;
  std::optional<std::string> on_disallowed;
};

enum class Kind { kLLMRoute, kAIGatewayRoute, kHTTPRoute };

struct GenRoute {
  Kind kind = Kind::kHTTPRoute;
  std::string name;
  std::optional<std::string> ns;  // absent: default
  std::optional<std::string> timestamp;
  std::vector<std::string> hostnames;
  std::vector<GenRule> rules;
  std::optional<GenStandardHeader> standard_header;
  std::optional<GenAffinity> affinity;
  std::string Namespace() const { return ns.value_or("default"); }
};

struct GenBackend {
  std::string name;
  std::string ns;
  bool llm_backend = false;
};

struct GenTable {
  std::vector<GenRoute> routes;
  std::vector<GenBackend> backends;
  CompileOptions options;
};

// A backend marked in the request's health view.
struct GenMark {
  enum class Kind { kDown, kCooldown, kExpiredCooldown };  // the last one reads as up
  std::string ns;
  std::string name;
  Kind kind = Kind::kDown;
};

struct GenRequest {
  std::string method = "GET";
  std::string host;
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  uint64_t entropy = 0;
  std::optional<std::vector<GenMark>> health;  // absent: no view; present: a view with these marks

  // The request, built with the tests' shared builder; `view` is passed when `health` is set.
  Req ToReq(const HealthView* view) const {
    Req r = Req().Method(method).Host(host).Path(path).Entropy(entropy);
    for (const auto& [name, value] : headers) r.AddHeader(name, value);
    if (body.has_value()) r.SetBody(*body);
    if (health.has_value()) r.SetHealth(view);
    return r;
  }
};

std::string Quote(std::string_view s) {  // YAML single-quoted scalar
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string RenderConditions(const std::vector<GenCondition>& conditions) {
  std::string out = "[";
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    const GenCondition& c = conditions[i];
    out += i ? ", {" : "{";
    if (c.type_written || c.regex) out += c.regex ? "type: RegularExpression, " : "type: Exact, ";
    out += "name: " + Quote(c.name) + ", value: " + Quote(c.value) + "}";
  }
  return out + "]";
}

std::string RenderAffinity(const GenAffinity& a) {
  return Cat("{", a.header ? "header" : "bodyField", ": ", Quote(a.name), "}");
}

std::string RenderYaml(const GenTable& t) {
  static const char* const kPathTypes[] = {"Exact", "PathPrefix", "RegularExpression"};
  std::string y;
  for (const GenBackend& b : t.backends) {
    y += "---\napiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: ";
    y += b.llm_backend ? "LLMBackend" : "AIServiceBackend";
    y += "\nmetadata: {name: " + Quote(b.name) + ", namespace: " + Quote(b.ns) + "}\n";
  }
  for (const GenRoute& r : t.routes) {
    y += "---\n";
    switch (r.kind) {
      case Kind::kLLMRoute: y += "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\n"; break;
      case Kind::kAIGatewayRoute: y += "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"; break;
      case Kind::kHTTPRoute: y += "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"; break;
    }
    y += "metadata:\n  name: " + Quote(r.name) + "\n";
    if (r.ns) y += "  namespace: " + Quote(*r.ns) + "\n";
    if (r.timestamp) y += "  creationTimestamp: " + Quote(*r.timestamp) + "\n";
    y += "spec:\n";
    if (r.kind == Kind::kLLMRoute) y += "  inputSchema: {schema: OpenAI}\n";
    if (r.kind == Kind::kAIGatewayRoute) y += "  schema: {name: OpenAI}\n";
    if (!r.hostnames.empty()) {
      y += "  hostnames: [";
      for (std::size_t i = 0; i < r.hostnames.size(); ++i) y += (i ? ", " : "") + Quote(r.hostnames[i]);
      y += "]\n";
    }
    if (r.affinity) y += "  sessionAffinity: " + RenderAffinity(*r.affinity) + "\n";
    if (r.standard_header) {
      const GenStandardHeader& s = *r.standard_header;
      y += "  standardRoutingHeader:\n    enabled: ";
      y += s.enabled ? "true\n" : "false\n";
      if (s.header_name) y += "    headerName: " + Quote(*s.header_name) + "\n";
      if (s.allowed) y += "    allowedBackends: " + *s.allowed + "\n";
      if (!s.backends.empty()) {
        y += "    backends: [";
        for (std::size_t i = 0; i < s.backends.size(); ++i) y += (i ? ", " : "") + Quote(s.backends[i]);
        y += "]\n";
      }
      if (s.on_disallowed) y += "    onDisallowed: " + *s.on_disallowed + "\n";
    }
    y += "  rules:\n";
    for (const GenRule& rule : r.rules) {
      y += "  - ";
      std::string indent;
      if (rule.name) {
        y += "name: " + Quote(*rule.name) + "\n";
        indent = "    ";
      }
      if (rule.matches_written) {
        y += indent + "matches:\n";
        indent = "    ";
        for (const GenMatch& m : rule.matches) {
          y += "    - {";
          std::string sep;
          if (m.path_type >= 0) {
            y += "path: {type: " + std::string(kPathTypes[m.path_type]) + ", value: " + Quote(m.path) + "}";
            sep = ", ";
          }
          if (m.method) {
            y += sep + "method: " + Quote(*m.method);
            sep = ", ";
          }
          if (!m.headers.empty()) {
            y += sep + "headers: " + RenderConditions(m.headers);
            sep = ", ";
          }
          if (!m.queries.empty()) y += sep + "queryParams: " + RenderConditions(m.queries);
          y += "}\n";
        }
      }
      y += indent + "backendRefs:";
      if (rule.refs.empty()) y += " []";
      y += "\n";
      for (const GenRef& ref : rule.refs) {
        y += "    - {name: " + Quote(ref.name);
        if (ref.ns) y += ", namespace: " + Quote(*ref.ns);
        if (ref.weight) y += ", weight: " + std::to_string(*ref.weight);
        if (ref.priority) y += ", priority: " + std::to_string(*ref.priority);
        if (ref.model_override) y += ", modelNameOverride: " + Quote(*ref.model_override);
        y += "}\n";
      }
      if (rule.retry) {
        y += "    retry: {";
        std::string sep;
        if (!rule.retry->codes.empty()) {
          y += "codes: [";
          for (std::size_t i = 0; i < rule.retry->codes.size(); ++i) y += (i ? ", " : "") + std::to_string(rule.retry->codes[i]);
          y += "]";
          sep = ", ";
        }
        if (rule.retry->attempts) {
          y += sep + "attempts: " + std::to_string(*rule.retry->attempts);
          sep = ", ";
        }
        if (rule.retry->backoff) y += sep + "backoff: " + *rule.retry->backoff;
        y += "}\n";
      }
      if (rule.affinity) y += "    sessionAffinity: " + RenderAffinity(*rule.affinity) + "\n";
    }
  }
  return y;
}

std::string DescribeOptions(const CompileOptions& o) {
  std::string out = "model_header=" + o.model_header;
  if (o.standard_header.enabled) {
    out += Cat(" standard_header default: name=", o.standard_header.header_name,
               " allowed=", o.standard_header.allowed_backends == AllowedBackends::kRulesOnly ? "RulesOnly" : "SameNamespace",
               " on_disallowed=", o.standard_header.on_disallowed == OnDisallowed::kReject ? "Reject" : "UseRules");
  }
  if (!o.affinity_header.empty()) out += " affinity_header=" + o.affinity_header;
  if (!o.affinity_body_field.empty()) out += " affinity_body_field=" + o.affinity_body_field;
  return out;
}

std::string DescribeRequest(const GenRequest& r) {
  std::string out = Cat(r.method, " host=\"", r.host, "\" path=\"", r.path, "\" entropy=", r.entropy);
  for (const auto& [name, value] : r.headers) out += Cat("\n  header [", name, "]: \"", value, "\"");
  if (r.body) out += Cat("\n  body: ", *r.body);
  if (r.health) {
    out += "\n  health view, marked:";
    for (const GenMark& m : *r.health) {
      out += Cat(" ", m.ns, "/", m.name,
                 m.kind == GenMark::Kind::kDown       ? " (down)"
                 : m.kind == GenMark::Kind::kCooldown ? " (cooldown)"
                                                      : " (expired cooldown)");
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Generation: small value pools, so requests hit the table's values (and near misses).

class Generator {
 public:
  // `duplicate_refs`: a rule may list one backend more than once (with the same or another
  // priority and modelNameOverride).
  // `trailing_dots`: request hosts may end with one "." (a DNS name with its root).
  Generator(uint64_t seed, bool duplicate_refs, bool trailing_dots)
      : rng_(seed), duplicate_refs_(duplicate_refs), trailing_dots_(trailing_dots) {}

  GenTable Table() {
    GenTable t;
    const int routes = 1 + Below(5);
    std::set<std::string> names;
    for (int i = 0; i < routes; ++i) {
      GenRoute r;
      r.kind = static_cast<Kind>(Below(3));
      r.name = Pick(kRouteNames);
      const std::string ns = Pick(kNamespaces);
      if (ns != "default" || Chance(50)) r.ns = ns;
      if (!names.insert(r.Namespace() + "/" + r.name).second) continue;
      if (Chance(70)) r.timestamp = Pick(kTimestamps);
      if (r.kind != Kind::kLLMRoute && Chance(60)) {
        const int n = 1 + Below(2);
        for (int k = 0; k < n; ++k) r.hostnames.push_back(Pick(kHostnames));
      }
      const int rules = 1 + Below(4);
      std::set<std::string> rule_names;
      for (int k = 0; k < rules; ++k) r.rules.push_back(Rule(r.kind, r.Namespace(), rule_names));
      if (Chance(25)) r.affinity = Affinity();
      t.routes.push_back(std::move(r));
    }
    const int backends = Below(3);
    for (int i = 0; i < backends; ++i) {
      t.backends.push_back({Pick(kBackendNames), Pick(kNamespaces), Chance(50)});
    }
    // Standard header sections, once every backend that exists is known.
    std::vector<std::string> known;  // "ns/name"
    for (const GenBackend& b : t.backends) known.push_back(b.ns + "/" + b.name);
    for (const GenRoute& r : t.routes) {
      for (const GenRule& rule : r.rules) {
        for (const GenRef& ref : rule.refs) known.push_back(ref.ns.value_or(r.Namespace()) + "/" + ref.name);
      }
    }
    for (GenRoute& r : t.routes) {
      if (!Chance(60)) continue;
      GenStandardHeader s;
      s.enabled = Chance(85);
      if (Chance(50)) s.header_name = Pick(kStandardHeaderNames);
      if (Chance(75)) s.allowed = Pick({"RulesOnly", "SameNamespace", "Explicit"});
      if (s.allowed == "Explicit" && !known.empty()) {
        const int n = Below(4);
        for (int k = 0; k < n; ++k) {
          const std::string full = known[Below(known.size())];
          const std::string prefix = r.Namespace() + "/";
          s.backends.push_back(full.starts_with(prefix) && Chance(60) ? full.substr(prefix.size()) : full);
        }
      }
      if (Chance(60)) s.on_disallowed = Chance(50) ? "Reject" : "UseRules";
      r.standard_header = s;
    }
    if (Chance(30)) t.options.model_header = "X-Model";
    if (Chance(40)) {
      t.options.standard_header.enabled = true;
      if (Chance(50)) t.options.standard_header.header_name = Pick(kStandardHeaderNames);
      if (Chance(50)) t.options.standard_header.allowed_backends = AllowedBackends::kSameNamespace;
      if (Chance(50)) t.options.standard_header.on_disallowed = OnDisallowed::kUseRules;
    }
    if (Chance(15)) {
      const GenAffinity a = Affinity();
      (a.header ? t.options.affinity_header : t.options.affinity_body_field) = a.name;
    }
    return t;
  }

  GenRequest RequestFor(const GenTable& t) {
    GenRequest q;
    q.entropy = rng_();
    q.method = Chance(10) ? "PUT" : Pick(kMethods);
    q.host = Host();
    q.path = Path();
    // Headers: routing headers of the table's pools, noise, the standard header.
    const std::string model_header = Chance(50) ? t.options.model_header : Pick(kHeaderNames);
    const int n = Below(5);
    for (int i = 0; i < n; ++i) {
      const std::string name = CaseNoise(Chance(40) ? model_header : Pick(kHeaderNames));
      q.headers.push_back({name, Chance(85) ? Pick(kHeaderValues) : Pick(kBackendNames)});
    }
    if (Chance(30)) q.headers.push_back({"User-Agent", "OpenAI/Python 1.54.4"});
    if (Chance(70)) {
      const int copies = Chance(80) ? 1 : 2;
      for (int i = 0; i < copies; ++i) {
        std::string name = Chance(70) ? t.options.standard_header.header_name : Pick(kStandardHeaderNames);
        for (const GenRoute& r : t.routes) {
          if (r.standard_header && r.standard_header->header_name && Chance(30)) name = *r.standard_header->header_name;
        }
        q.headers.insert(q.headers.begin() + Below(q.headers.size() + 1), {CaseNoise(name), StandardValue()});
      }
    }
    if (Chance(15)) q.body = Pick(kBodies);
    AffinityKeys(t, q);
    if (Chance(35)) q.health = Marks(t);
    return q;
  }

 private:
  static inline const std::vector<std::string> kRouteNames = {"r0", "r1", "r2", "r3"};
  static inline const std::vector<std::string> kNamespaces = {"default", "team", "team-a"};
  static inline const std::vector<std::string> kTimestamps = {
      "2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00.5Z", "2023-06-01T12:00:00Z"};
  static inline const std::vector<std::string> kHostnames = {
      "api.example.com", "*.example.com", "*.api.example.com", "example.com", "Other.Example.org", "*.org"};
  static inline const std::vector<std::string> kPrefixes = {"/", "/v1", "/v1/", "/v1/chat", "/v1/chat/completions", "/v10", "/a", "/a/a"};
  static inline const std::vector<std::string> kPathRegexes = {"/v1/.*", "/v[0-9]+(/.*)?", ".*/completions", "/a(/a)*", "/v1/chat/[a-z]+"};
  static inline const std::vector<std::string> kMethods = {"GET", "POST", "post"};
  static inline const std::vector<std::string> kHeaderNames = {"x-ai-eg-model", "x-tenant", "X-Tier", "x-model", "x-ai-eg", "x-ai-eg-model-v2"};
  static inline const std::vector<std::string> kHeaderValues = {"gpt-4o", "gpt-4o-mini", "llama-3", "gold", "a,b", "Gold", "a", "b", "", " gold", "gpt-4o "};
  static inline const std::vector<std::string> kHeaderRegexes = {"gpt-.*", "llama.*|mistral", "[a-z]+", "a,.*", "gold|silver"};
  static inline const std::vector<std::string> kQueryNames = {"tenant", "q", "x%41", "a+b"};
  static inline const std::vector<std::string> kQueryValues = {"t1", "a+b", "a b", "100%", "x&y", ""};
  static inline const std::vector<std::string> kQueryRegexes = {"t[0-9]", "a.b", ".*%", "[a-z ]+"};
  static inline const std::vector<std::string> kBackendNames = {"b0", "b1", "b2", "b3"};
  static inline const std::vector<std::string> kOverrides = {"m-small", "m-large"};
  static inline const std::vector<std::string> kStandardHeaderNames = {"x-ai-gateway-backend", "X-Backend", "x-pick"};
  static inline const std::vector<std::string> kAffinityHeaders = {"x-session-id", "x-user", "x-tenant", "x-ai-eg-model", "x-model"};
  static inline const std::vector<std::string> kAffinityFields = {"user", "prompt_cache_key", "model"};
  static inline const std::vector<std::string> kAffinityKeys = {"s1", "s2", "conv-42", "user-7", "", " s1", "s1,s2", "S1"};
  static inline const std::vector<std::string> kAffinityBodyValues = {
      R"("s1")", R"("s2")", R"("conv-42")", R"("")", R"("s\u0031")", R"("caf\u00e9 \ud83d\ude00")", "7", "null",
      R"({"id":"s1"})", R"(["s1"])", R"("s1\"x")"};
  static inline const std::vector<std::string> kBodies = {
      R"({"model":"gpt-4o"})", R"({"messages":[],"model":"llama-3"})", R"({"model":"gpt-\u0034o"})",
      R"({"stream":true})", R"({"model":1})", R"({"model":"a","model":"a"})", "{", "[]",
      R"({"model":"gpt-4o"} x)", R"({"model":"\ud800"})", R"({"model":"a,b"})"};

  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(int percent) { return static_cast<int>(Below(100)) < percent; }
  std::string Pick(const std::vector<std::string>& pool) { return pool[Below(pool.size())]; }

  std::string CaseNoise(std::string s) {
    if (Chance(60)) return s;
    for (char& c : s) {
      if (Chance(50)) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
  }

  GenCondition Condition(const std::vector<std::string>& names, const std::vector<std::string>& values,
                         const std::vector<std::string>& regexes, bool header) {
    GenCondition c;
    c.name = Pick(names);
    if (header) c.name = CaseNoise(c.name);
    c.regex = Chance(30);
    c.type_written = Chance(50);
    do {
      c.value = c.regex ? Pick(regexes) : Pick(values);
    } while (header && c.value.empty());  // requests may send an empty value; configs do not
    return c;
  }

  GenRule Rule(Kind kind, const std::string& route_ns, std::set<std::string>& rule_names) {
    GenRule rule;
    if (kind != Kind::kLLMRoute && Chance(50)) {
      const std::string name = Pick({"alpha", "beta", "gamma"});
      if (rule_names.insert(name).second) rule.name = name;
    }
    rule.matches_written = !Chance(15);
    const int matches = rule.matches_written ? Below(4) : 0;
    for (int m = 0; m < matches; ++m) {
      GenMatch match;
      if (kind == Kind::kHTTPRoute) {
        match.path_type = static_cast<int>(Below(4)) - 1;
        if (match.path_type == 2) {
          match.path = Pick(kPathRegexes);
        } else if (match.path_type >= 0) {
          match.path = Pick(kPrefixes);
        }
        if (Chance(30)) match.method = Pick(kMethods);
        const int queries = Chance(40) ? 1 + Below(2) : 0;
        for (int k = 0; k < queries; ++k) match.queries.push_back(Condition(kQueryNames, kQueryValues, kQueryRegexes, false));
      }
      const int headers = Below(kind == Kind::kHTTPRoute ? 3 : 4);
      for (int k = 0; k < headers; ++k) match.headers.push_back(Condition(kHeaderNames, kHeaderValues, kHeaderRegexes, true));
      rule.matches.push_back(std::move(match));
    }
    const int refs = Below(5);
    std::set<std::string> listed;
    for (int k = 0; k < refs; ++k) {
      GenRef ref;
      ref.name = Pick(kBackendNames);
      if (kind != Kind::kLLMRoute && Chance(30)) ref.ns = Pick(kNamespaces);
      if (!listed.insert(ref.ns.value_or(route_ns) + "/" + ref.name).second && !duplicate_refs_) continue;
      if (Chance(60)) ref.weight = static_cast<int>(Below(4));
      if (kind == Kind::kAIGatewayRoute) {
        if (Chance(50)) ref.priority = static_cast<int>(Below(3));
        if (Chance(30)) ref.model_override = Pick(kOverrides);
      }
      rule.refs.push_back(std::move(ref));
    }
    if (Chance(30)) {
      GenRetry retry;
      std::set<int> codes;
      const int count = Below(3);
      for (int k = 0; k < count; ++k) {
        static constexpr int kCodes[] = {429, 500, 502, 503, 504};
        const int code = kCodes[Below(5)];
        if (codes.insert(code).second) retry.codes.push_back(code);
      }
      if (Chance(60)) retry.attempts = static_cast<int>(Below(17));
      if (Chance(50)) retry.backoff = Pick({"0s", "100ms", "1s", "1h30m"});
      rule.retry = std::move(retry);
    }
    if (Chance(15)) rule.affinity = Affinity();
    return rule;
  }

  GenAffinity Affinity() {
    GenAffinity a;
    a.header = Chance(50);
    a.name = a.header ? CaseNoise(Pick(kAffinityHeaders)) : Pick(kAffinityFields);
    return a;
  }

  // Session affinity keys for the table's affinity headers and body fields: sent or not,
  // empty, repeated; bodies with the field as a string (escaped or not), another JSON type,
  // nested only, or absent.
  void AffinityKeys(const GenTable& t, GenRequest& q) {
    std::vector<std::string> headers, fields;
    auto note = [&](const std::optional<GenAffinity>& a) {
      if (a) (a->header ? headers : fields).push_back(a->name);
    };
    for (const GenRoute& r : t.routes) {
      note(r.affinity);
      for (const GenRule& rule : r.rules) note(rule.affinity);
    }
    if (!t.options.affinity_header.empty()) headers.push_back(t.options.affinity_header);
    if (!t.options.affinity_body_field.empty()) fields.push_back(t.options.affinity_body_field);
    if (!headers.empty() && Chance(70)) {
      const int copies = Chance(85) ? 1 : 2;
      for (int i = 0; i < copies; ++i) {
        const std::string name = CaseNoise(headers[Below(headers.size())]);
        q.headers.insert(q.headers.begin() + Below(q.headers.size() + 1), {name, Pick(kAffinityKeys)});
      }
    }
    if (!fields.empty() && Chance(60)) {
      const std::string field = fields[Below(fields.size())];
      std::vector<std::string> members;
      if (field != "model" && Chance(70)) members.push_back(R"("model":")" + Pick({"gpt-4o", "llama-3", "a,b"}) + "\"");
      if (Chance(85)) {
        std::string name = "\"" + field + "\"";
        if (Chance(10)) name = "\"" + field.substr(0, field.size() - 1) + "\\u00" + Hex(field.back()) + "\"";
        members.push_back(name + ":" + Pick(kAffinityBodyValues));
        // Sometimes twice: the last one counts, whatever its type.
        if (field != "model" && Chance(10)) members.push_back(name + ":" + Pick(kAffinityBodyValues));
      }
      if (Chance(30)) members.push_back(R"("messages":[{"role":"user","content":"hi","user":"s2"}])");
      if (Chance(20)) members.push_back(R"("metadata":{")" + field + R"(":"s3"})");
      if (Chance(20)) members.push_back(R"("stream":true)");
      std::shuffle(members.begin(), members.end(), rng_);
      std::string body = Chance(20) ? " {\n " : "{";
      for (std::size_t i = 0; i < members.size(); ++i) body += (i ? (Chance(20) ? " , " : ",") : "") + members[i];
      q.body = body + "}";
    }
  }

  static std::string Hex(char c) {
    static const char* const kHex = "0123456789abcdef";
    return {kHex[static_cast<unsigned char>(c) >> 4], kHex[c & 15]};
  }

  // A health view's marks: some of the table's backends down (for good, for a cooldown, or
  // for a cooldown that has ended), sometimes all of one rule's first tier, sometimes all,
  // sometimes nothing or only names the table does not know.
  std::vector<GenMark> Marks(const GenTable& t) {
    std::set<std::pair<std::string, std::string>> all;
    for (const GenRoute& r : t.routes) {
      for (const GenRule& rule : r.rules) {
        for (const GenRef& ref : rule.refs) all.insert({ref.ns.value_or(r.Namespace()), ref.name});
      }
    }
    std::set<std::pair<std::string, std::string>> down;
    switch (Below(5)) {
      case 0:
      case 1:
        for (const auto& b : all) {
          if (Chance(40)) down.insert(b);
        }
        break;
      case 2: {  // the first tier of one rule, and maybe a little more
        std::vector<std::pair<const GenRoute*, const GenRule*>> rules;
        for (const GenRoute& r : t.routes) {
          for (const GenRule& rule : r.rules) rules.push_back({&r, &rule});
        }
        const auto [route, rule] = rules[Below(rules.size())];
        std::optional<int> first;
        for (const GenRef& ref : rule->refs) {
          if (ref.weight.value_or(1) > 0) first = std::min(first.value_or(ref.priority.value_or(0)), ref.priority.value_or(0));
        }
        for (const GenRef& ref : rule->refs) {
          if (ref.priority.value_or(0) == first) down.insert({ref.ns.value_or(route->Namespace()), ref.name});
        }
        for (const auto& b : all) {
          if (Chance(15)) down.insert(b);
        }
        break;
      }
      case 3:
        down = all;
        break;
      default:
        if (Chance(50)) down.insert({Pick(kNamespaces), "nowhere"});
        break;
    }
    std::vector<GenMark> marks;
    for (const auto& [ns, name] : down) {
      const int kind = static_cast<int>(Below(10));
      marks.push_back({ns, name, kind < 7 ? GenMark::Kind::kDown : kind < 9 ? GenMark::Kind::kCooldown : GenMark::Kind::kExpiredCooldown});
    }
    return marks;
  }

  std::string Host() {
    if (Chance(10)) return Chance(50) ? "" : "[::1]:8080";
    std::string host = Pick(kHostnames);
    if (host.starts_with("*.")) {
      const int shape = static_cast<int>(Below(4));
      host = shape == 0 ? host.substr(2) : (shape == 1 ? "a" : shape == 2 ? "x.y" : "api") + host.substr(1);
    }
    host = CaseNoise(host);
    if (trailing_dots_ && Chance(20)) host += ".";
    if (Chance(25)) host += ":8443";
    return host;
  }

  std::string Encode(const std::string& s) {
    std::string out;
    static const char* const kHex = "0123456789ABCDEF";
    for (char c : s) {
      const bool must = c == '&' || c == '=' || c == '#' || c == ' ' || (c == '%' && Chance(80));
      if (must || Chance(15)) {
        out += '%';
        out += kHex[static_cast<unsigned char>(c) >> 4];
        out += Chance(80) ? kHex[c & 15] : static_cast<char>(std::tolower(kHex[c & 15]));
      } else {
        out += c;
      }
    }
    return out;
  }

  std::string Path() {
    std::string path = Pick(kPrefixes) + Pick({"", "", "/", "x", "/x", "/completions", "0", "/chat", "//x", "%2Fx"});
    if (Chance(40)) {
      path += "?";
      if (Chance(20)) {  // a long query: the parameters below land anywhere in a 64-byte block
        const std::size_t end = path.size() + Below(200);
        while (path.size() < end) {
          path += Pick({"k=" + std::string(Below(80), 'v'), "tenanx=t1", "tenan", "%74enan=t1",
                        "x%2541x=1", "=t1", "", "q%zz=1", "a%2Bb%"}) +
                  "&";
        }
      }
      const int n = 1 + Below(3);
      for (int i = 0; i < n; ++i) {
        if (i) path += Chance(10) ? "&&" : "&";
        path += Encode(Pick(kQueryNames));
        if (Chance(90)) path += "=" + Encode(Pick(kQueryValues));
      }
    }
    return path;
  }

  std::string StandardValue() {
    const std::string b = Pick(kBackendNames);
    const std::string full = Pick(kNamespaces) + "/" + b;
    switch (Below(10)) {
      case 0: return "";
      case 1: return " \t ";
      case 2: return " " + b + "\t";
      case 3: return b + "," + b;
      case 4: return b + ", " + Pick(kBackendNames);
      case 5: return full;
      case 6: return b + ",";
      case 7: return "nowhere";
      default: return b;
    }
  }

  std::mt19937_64 rng_;
  bool duplicate_refs_;
  bool trailing_dots_;
};

// ---------------------------------------------------------------------------------------
// Comparing, and shrinking what disagrees.

struct Compiled {
  std::shared_ptr<const RoutingTable> table;
  std::unique_ptr<ReferenceResolver> reference;
  std::string error;
};

Compiled CompileBoth(const GenTable& t) {
  Compiled c;
  absl::StatusOr<Config> config = LoadConfigText(RenderYaml(t), "random.yaml");
  if (!config.ok()) {
    c.error = std::string(config.status().message());
    return c;
  }
  absl::StatusOr<std::shared_ptr<const RoutingTable>> table = Compile(*config, t.options);
  if (!table.ok()) {
    c.error = std::string(table.status().message());
    return c;
  }
  c.table = *table;
  c.reference = std::make_unique<ReferenceResolver>(*config, t.options);
  return c;
}

// The one health view every request with `health` gets, on a clock the test moves: before
// each comparison the previous request's marks are lifted and its own are set.
class HealthMarks {
 public:
  HealthMarks() : view_([this] { return now_.load(); }) {}

  const HealthView* Apply(const std::vector<GenMark>& marks) {
    for (const auto& [ns, name] : marked_) view_.MarkUp(ns, name);
    marked_.clear();
    for (const GenMark& m : marks) {  // cooldowns that end before the request
      if (m.kind == GenMark::Kind::kExpiredCooldown) Check(view_.MarkDownFor(m.ns, m.name, 5));
    }
    now_ += 10;
    for (const GenMark& m : marks) {
      if (m.kind == GenMark::Kind::kDown) Check(view_.MarkDown(m.ns, m.name));
      if (m.kind == GenMark::Kind::kCooldown) Check(view_.MarkDownFor(m.ns, m.name, 1'000'000'000));
      marked_.push_back({m.ns, m.name});
    }
    return &view_;
  }

 private:
  static void Check(const absl::Status& status) { ASSERT_TRUE(status.ok()) << status; }

  std::atomic<int64_t> now_{1000};
  HealthView view_;
  std::vector<std::pair<std::string, std::string>> marked_;
};

HealthMarks& Health() {
  static HealthMarks* marks = new HealthMarks();  // never destroyed: no exit-order questions
  return *marks;
}

// Empty when they agree; otherwise what differs. `got`, when given, receives the library's
// decision.
std::string Disagreement(const Compiled& c, const GenRequest& q, Outcome* got_out = nullptr) {
  const HealthView* view = q.health.has_value() ? Health().Apply(*q.health) : nullptr;
  const Req req = q.ToReq(view);
  const Request request = req.View();
  const Outcome got = reference::FromDecision(c.table->Resolve(request));  // copied at once
  const Outcome want = c.reference->Resolve(request);
  if (got_out != nullptr) *got_out = got;
  std::string out;
  if (!(got == want)) {
    out += "library:   " + reference::Describe(got) + "\nreference: " + reference::Describe(want) + "\n";
  }
  if (got.via == Via::kStandardHeader && got.backend.has_value() &&
      !c.reference->Allows(got.route.value_or(""), *got.backend)) {
    out += "allowlist property: " + *got.backend + " is not allowed by route " + got.route.value_or("null") + "\n";
  }
  return out;
}

bool StillFails(const GenTable& t, const GenRequest& q) {
  const Compiled c = CompileBoth(t);
  return c.table != nullptr && !Disagreement(c, q).empty();
}

// Greedy: keep dropping one piece (route, rule, match, condition, backendRef, hostname,
// backend document, header, body, query string) while the disagreement remains.
void Shrink(GenTable& t, GenRequest& q) {
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::function<bool()>> tries;
    auto attempt = [&](auto mutate) {
      tries.push_back([&t, &q, mutate]() {
        GenTable t2 = t;
        GenRequest q2 = q;
        mutate(t2, q2);
        const bool unchanged = RenderYaml(t2) == RenderYaml(t) && DescribeOptions(t2.options) == DescribeOptions(t.options) &&
                               DescribeRequest(q2) == DescribeRequest(q);
        if (unchanged || !StillFails(t2, q2)) return false;
        t = std::move(t2);
        q = std::move(q2);
        return true;
      });
    };
    for (std::size_t r = 0; r < t.routes.size(); ++r) {
      attempt([r](GenTable& t2, GenRequest&) { t2.routes.erase(t2.routes.begin() + r); });
      const GenRoute& route = t.routes[r];
      for (std::size_t k = 0; k < route.rules.size(); ++k) {
        attempt([r, k](GenTable& t2, GenRequest&) { auto& v = t2.routes[r].rules; v.erase(v.begin() + k); });
        const GenRule& rule = route.rules[k];
        for (std::size_t m = 0; m < rule.matches.size(); ++m) {
          attempt([r, k, m](GenTable& t2, GenRequest&) { auto& v = t2.routes[r].rules[k].matches; v.erase(v.begin() + m); });
          for (std::size_t h = 0; h < rule.matches[m].headers.size(); ++h) {
            attempt([r, k, m, h](GenTable& t2, GenRequest&) { auto& v = t2.routes[r].rules[k].matches[m].headers; v.erase(v.begin() + h); });
          }
          for (std::size_t h = 0; h < rule.matches[m].queries.size(); ++h) {
            attempt([r, k, m, h](GenTable& t2, GenRequest&) { auto& v = t2.routes[r].rules[k].matches[m].queries; v.erase(v.begin() + h); });
          }
          attempt([r, k, m](GenTable& t2, GenRequest&) { t2.routes[r].rules[k].matches[m].method.reset(); });
          attempt([r, k, m](GenTable& t2, GenRequest&) { t2.routes[r].rules[k].matches[m].path_type = -1; });
        }
        for (std::size_t b = 0; b < rule.refs.size(); ++b) {
          attempt([r, k, b](GenTable& t2, GenRequest&) { auto& v = t2.routes[r].rules[k].refs; v.erase(v.begin() + b); });
        }
        attempt([r, k](GenTable& t2, GenRequest&) { t2.routes[r].rules[k].name.reset(); });
        attempt([r, k](GenTable& t2, GenRequest&) { t2.routes[r].rules[k].retry.reset(); });
        attempt([r, k](GenTable& t2, GenRequest&) { t2.routes[r].rules[k].affinity.reset(); });
      }
      for (std::size_t h = 0; h < route.hostnames.size(); ++h) {
        attempt([r, h](GenTable& t2, GenRequest&) { auto& v = t2.routes[r].hostnames; v.erase(v.begin() + h); });
      }
      attempt([r](GenTable& t2, GenRequest&) { t2.routes[r].standard_header.reset(); });
      attempt([r](GenTable& t2, GenRequest&) { t2.routes[r].timestamp.reset(); });
      attempt([r](GenTable& t2, GenRequest&) { t2.routes[r].affinity.reset(); });
    }
    for (std::size_t b = 0; b < t.backends.size(); ++b) {
      attempt([b](GenTable& t2, GenRequest&) { t2.backends.erase(t2.backends.begin() + b); });
    }
    for (std::size_t h = 0; h < q.headers.size(); ++h) {
      attempt([h](GenTable&, GenRequest& q2) { q2.headers.erase(q2.headers.begin() + h); });
    }
    attempt([](GenTable&, GenRequest& q2) { q2.body.reset(); });
    attempt([](GenTable&, GenRequest& q2) { q2.path = q2.path.substr(0, q2.path.find('?')); });
    attempt([](GenTable& t2, GenRequest&) { t2.options.standard_header = {}; });
    attempt([](GenTable& t2, GenRequest&) { t2.options.affinity_header.clear(); });
    attempt([](GenTable& t2, GenRequest&) { t2.options.affinity_body_field.clear(); });
    attempt([](GenTable&, GenRequest& q2) { q2.health.reset(); });
    if (q.health.has_value()) {
      for (std::size_t m = 0; m < q.health->size(); ++m) {
        attempt([m](GenTable&, GenRequest& q2) { q2.health->erase(q2.health->begin() + m); });
      }
    }
    bool shrunk = false;
    for (auto& step : tries) {
      if (step()) {
        shrunk = true;
        break;
      }
    }
    if (!shrunk) return;
  }
}

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::strtoull(text, nullptr, 0);
}

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

TEST(Differential, LibraryAgreesWithReferenceOnRandomTablesAndRequests) {
  const uint64_t comparisons = EnvNumber("LLMROUTE_DIFFERENTIAL_COMPARISONS", 200000);
  const uint64_t seed = EnvNumber("LLMROUTE_DIFFERENTIAL_SEED", 20261129);
  // Two input classes that can be switched off (=0) to isolate a disagreement: a backend
  // listed more than once in a rule, and request hosts ending in ".".
  const bool duplicate_refs = EnvNumber("LLMROUTE_DIFFERENTIAL_DUPLICATE_REFS", 1) != 0;
  const bool trailing_dots = EnvNumber("LLMROUTE_DIFFERENTIAL_TRAILING_DOTS", 1) != 0;
  constexpr int kRequestsPerTable = 100;
  uint64_t compared = 0, tables = 0;
  std::map<std::string, uint64_t> statuses;
  for (uint64_t i = 0; compared < comparisons; ++i) {
    const uint64_t table_seed = Mix(seed + i);
    Generator gen(table_seed, duplicate_refs, trailing_dots);
    GenTable t = gen.Table();
    const Compiled c = CompileBoth(t);
    ASSERT_NE(c.table, nullptr) << "the generator wrote a config that does not compile (seed "
                                << table_seed << "): " << c.error << "\n" << RenderYaml(t);
    ++tables;
    for (int k = 0; k < kRequestsPerTable && compared < comparisons; ++k, ++compared) {
      GenRequest q = gen.RequestFor(t);
      Outcome got;
      const std::string diff = Disagreement(c, q, &got);
      if (diff.empty()) {
        ++statuses[std::string(StatusName(got.status))];
        if (got.affinity) ++statuses["affinity"];
        if (got.panic) ++statuses["panic"];
        if (q.health.has_value() && !got.panic) {  // did the marks change the decision?
          const Req without = q.ToReq(nullptr);
          if (!(reference::FromDecision(c.table->Resolve(without.View())) == got)) ++statuses["health changed it"];
        }
        continue;
      }
      GenTable small = t;
      GenRequest small_q = q;
      Shrink(small, small_q);
      const Compiled shrunk = CompileBoth(small);
      FAIL() << "library and reference disagree; table seed " << table_seed << " (run seed " << seed
             << ", table " << i << ", request " << k << ")\n"
             << diff << "--- shrunk reproducer\ncompile options: " << DescribeOptions(small.options)
             << "\nrequest: " << DescribeRequest(small_q) << "\n"
             << Disagreement(shrunk, small_q) << "--- config\n" << RenderYaml(small);
    }
  }
  std::string mix;
  for (const auto& [status, n] : statuses) mix += Cat(" ", status, "=", n);
  std::cout << "compared " << compared << " decisions over " << tables << " tables (seed " << seed
            << "):" << mix << "\n";
  // The generator must reach every outcome, or the comparison proves little.
  for (const char* status : {"routed", "no_route", "backend_not_allowed", "bad_request", "no_backend",
                             "affinity", "panic", "health changed it"}) {
    if (comparisons >= 100000) {
      EXPECT_GT(statuses[status], comparisons / 1000) << status;
    }
  }
}

}  // namespace
}  // namespace llmroute::test
