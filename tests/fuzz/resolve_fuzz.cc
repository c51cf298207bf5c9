// libFuzzer harness for RoutingTable::Resolve on one fixed, rich configuration.
//
// The input is split (FuzzedDataProvider) into the method, host, path, header names and
// values, an optional body, the entropy and a choice of compile options. Resolve must not
// crash, and each decision must satisfy what docs/routing.md promises (standard header,
// selection, decision), computed here
// independently of the library from the configuration below:
//   - http_status matches the status; routed ⇔ a backend; routed ⇒ a route and a via;
//     no_route and bad_request report no route; no_backend reports route, rule and match;
//   - the reported route applies to the request's host (most specific hostname wins);
//   - via standard_header: no rule, match, override or fallbacks, and the backend is on the
//     allowlist of the route reported; backend_not_allowed comes from a route that rejects;
//   - when no body is sent, the standard header's verdict (routed / bad_request /
//     backend_not_allowed / rules decide) is the documented one;
//   - via rule: the backend is the one the documented formula picks from the rule's backends
//     for the given entropy, the fallbacks are the rest in the documented order, and the model
//     override is that backendRef's;
//   - with a health view holding some backends down: the same with those at weight 0 (the
//     next tier when a tier is all down), unless every backend of the rule is down (then
//     the view is ignored and the decision has panic);
//   - with session affinity on a header (one options variant) and that header sent: the
//     backend and fallbacks of weighted rendezvous hashing (docs/routing.md), transcribed
//     here, whatever the entropy, and the decision has affinity;
//   - the same request with the same entropy gets the same decision.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "llmroute/decision.h"
#include "llmroute/health.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

namespace {

// The request and decision being checked, printed when a check fails.
std::string* g_context = new std::string;

#define CHECK_OR_ABORT(condition)                                                       \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s\n%s\n", __FILE__, __LINE__, #condition, \
                   g_context->c_str());                                                 \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

// Route order: absent timestamps first, then by namespace/name:
// default/legacy, other/other, zeta/zeta (2020), team/web (2023), team/chat (2024).
constexpr char kConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  schema: {name: OpenAI}
  hostnames: [api.example.com, "*.example.com"]
  standardRoutingHeader: {enabled: true}
  rules:
  - name: by-model
    matches:
    - headers: [{name: x-ai-eg-model, value: gpt-4o}]
    backendRefs:
    - {name: openai, weight: 3}
    - {name: azure, weight: 1}
    - {name: backup, priority: 1}
    - {name: zero, weight: 0}
  - name: llama
    matches:
    - path: {type: Exact, value: /v1/chat/completions}
      method: POST
      headers: [{type: RegularExpression, name: x-ai-eg-model, value: "llama-.*"}]
    - path: {type: RegularExpression, value: "/v[0-9]+/completions"}
      headers: [{type: RegularExpression, name: x-ai-eg-model, value: "(llama|mistral)-[0-9]+b"}]
    backendRefs:
    - {name: vllm, weight: 2, modelNameOverride: meta-llama}
    - {name: tgi, namespace: other, weight: 5}
    - {name: tgi2, priority: 2}
  - name: embeddings
    matches:
    - path: {type: PathPrefix, value: /v1/embeddings/}
      queryParams:
      - {name: api-version, value: "2024"}
      - {type: RegularExpression, name: region, value: "eu-[a-z]+"}
    backendRefs: [{name: embed}]
  - name: models
    matches:
    - path: {type: RegularExpression, value: "/v[0-9]+/models(/.*)?"}
      method: GET
    backendRefs: [{name: models, weight: 0}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: team, creationTimestamp: "2023-06-01T12:00:00.5Z"}
spec:
  hostnames: ["*.example.com", "web.example.org"]
  standardRoutingHeader:
    enabled: true
    headerName: X-Pick
    allowedBackends: SameNamespace
    onDisallowed: UseRules
  rules:
  - matches:
    - headers:
      - {name: x-tier, value: gold}
      - {type: RegularExpression, name: x-user, value: "[a-z]+@corp\\.com"}
    - queryParams: [{name: tier, value: gold}]
      method: PUT
    backendRefs: [{name: gold, weight: 1}, {name: silver, weight: 1}, {name: bronze, weight: 1}]
  - matches:
    - path: {type: PathPrefix, value: /static}
    backendRefs: [{name: silver}]
  - backendRefs: [{name: bronze}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: legacy}
spec:
  inputSchema: {schema: OpenAI}
  standardRoutingHeader:
    enabled: true
    allowedBackends: Explicit
    backends: [legacy-a, team/openai]
  rules:
  - matches:
    - headers: [{name: x-ai-eg-model, value: old}]
    backendRefs: [{name: legacy-a, weight: 1}, {name: legacy-b, weight: 1}]
  - matches:
    - headers: [{name: X-Check, value: deep}]
    backendRefs: []
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: zeta, namespace: zeta, creationTimestamp: "2020-02-29T23:59:59+01:00"}
spec:
  standardRoutingHeader: {enabled: true, onDisallowed: UseRules}
  rules:
  - matches:
    - headers: [{name: x-ai-eg-model, value: zeta}]
    backendRefs: [{name: zeta-a, weight: 1}, {name: zeta-b, weight: 2}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata: {name: other, namespace: other}
spec:
  hostnames: [exact.example.com, "*.deep.example.com"]
  rules:
  - name: health
    matches:
    - path: {type: Exact, value: /health}
      method: GET
    - path: {type: PathPrefix, value: /v1}
      queryParams: [{name: q, value: "a b"}]
    backendRefs: [{name: health, weight: 7}, {name: tgi, weight: 1}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: declared, namespace: team}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: elsewhere, namespace: other}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMBackend
metadata: {name: legacy-a}
)";

// What the harness knows about the configuration above, written out by hand.
struct RefSpec {
  std::string backend;  // "ns/name"
  uint64_t weight;
  uint64_t priority;
  std::optional<std::string> model_override;
};

struct RouteSpec {
  std::string id;  // "ns/name"
  std::string ns;
  std::vector<std::string> hostnames;
  std::vector<std::vector<RefSpec>> rules;
  // Standard header: enabled by the route's own section; empty header name = no section.
  bool has_section = false;
  std::string header_name;  // lower-cased
  std::set<std::string> allowed;
  bool reject = true;
};

// The compile options a run uses for routes without a section (only other/other).
struct OptionsVariant {
  bool enabled = false;
  bool same_namespace = false;
  bool reject = true;
  std::string header_name = "x-ai-gateway-backend";
  std::string affinity_header;  // every rule's session affinity; empty: none
};

// Every backend of kConfig, for a health view to mark down (at most 32).
constexpr std::pair<std::string_view, std::string_view> kBackends[] = {
    {"team", "openai"},  {"team", "azure"},      {"team", "backup"},     {"team", "zero"},
    {"team", "vllm"},    {"other", "tgi"},       {"team", "tgi2"},       {"team", "embed"},
    {"team", "models"},  {"team", "gold"},       {"team", "silver"},     {"team", "bronze"},
    {"default", "legacy-a"}, {"default", "legacy-b"}, {"zeta", "zeta-a"}, {"zeta", "zeta-b"},
    {"other", "health"}};

std::vector<RouteSpec> MakeRoutes(const OptionsVariant& options) {
  std::vector<RouteSpec> routes;
  {
    RouteSpec legacy{.id = "default/legacy", .ns = "default"};
    legacy.rules = {{{"default/legacy-a", 1, 0, {}}, {"default/legacy-b", 1, 0, {}}}, {}};
    legacy.has_section = true;
    legacy.header_name = "x-ai-gateway-backend";
    legacy.allowed = {"default/legacy-a", "team/openai"};
    legacy.reject = true;
    routes.push_back(legacy);
  }
  {
    RouteSpec other{.id = "other/other", .ns = "other"};
    other.hostnames = {"exact.example.com", "*.deep.example.com"};
    other.rules = {{{"other/health", 7, 0, {}}, {"other/tgi", 1, 0, {}}}};
    if (options.enabled) {
      other.has_section = true;
      other.header_name = options.header_name;
      other.allowed = {"other/health", "other/tgi"};
      // Declared or referenced in namespace other: tgi is also referenced by team/chat.
      if (options.same_namespace) other.allowed.insert("other/elsewhere");
      other.reject = options.reject;
    }
    routes.push_back(other);
  }
  {
    RouteSpec zeta{.id = "zeta/zeta", .ns = "zeta"};
    zeta.rules = {{{"zeta/zeta-a", 1, 0, {}}, {"zeta/zeta-b", 2, 0, {}}}};
    zeta.has_section = true;
    zeta.header_name = "x-ai-gateway-backend";
    zeta.allowed = {"zeta/zeta-a", "zeta/zeta-b"};
    zeta.reject = false;
    routes.push_back(zeta);
  }
  {
    RouteSpec web{.id = "team/web", .ns = "team"};
    web.hostnames = {"*.example.com", "web.example.org"};
    web.rules = {{{"team/gold", 1, 0, {}}, {"team/silver", 1, 0, {}}, {"team/bronze", 1, 0, {}}},
                 {{"team/silver", 1, 0, {}}},
                 {{"team/bronze", 1, 0, {}}}};
    web.has_section = true;
    web.header_name = "x-pick";
    // Every backend of namespace team declared or referenced by any route.
    web.allowed = {"team/openai", "team/azure", "team/backup", "team/zero",   "team/vllm",
                   "team/tgi2",   "team/embed", "team/models", "team/gold",   "team/silver",
                   "team/bronze", "team/declared"};
    web.reject = false;
    routes.push_back(web);
  }
  {
    RouteSpec chat{.id = "team/chat", .ns = "team"};
    chat.hostnames = {"api.example.com", "*.example.com"};
    chat.rules = {
        {{"team/openai", 3, 0, {}}, {"team/azure", 1, 0, {}}, {"team/backup", 1, 1, {}},
         {"team/zero", 0, 0, {}}},
        {{"team/vllm", 2, 0, "meta-llama"}, {"other/tgi", 5, 0, {}}, {"team/tgi2", 1, 2, {}}},
        {{"team/embed", 1, 0, {}}},
        {{"team/models", 0, 0, {}}}};
    chat.has_section = true;
    chat.header_name = "x-ai-gateway-backend";
    chat.allowed = {"team/openai", "team/azure", "team/backup", "team/zero", "team/vllm",
                    "other/tgi",   "team/tgi2",  "team/embed",  "team/models"};
    chat.reject = true;
    routes.push_back(chat);
  }
  return routes;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = Lower(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// A host the harness can judge without guessing at edge cases: labels of [A-Za-z0-9-],
// each non-empty, optionally ":digits". Empty counts too. Returns it lower-cased without
// the port.
std::optional<std::string> CleanHost(std::string_view host) {
  const std::size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    if (port.empty()) return std::nullopt;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    host = host.substr(0, colon);
  }
  if (host.empty()) return std::string();
  bool label_empty = true;
  for (char c : host) {
    if (c == '.') {
      if (label_empty) return std::nullopt;
      label_empty = true;
      continue;
    }
    const char l = Lower(c);
    if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-')) return std::nullopt;
    label_empty = false;
  }
  if (label_empty) return std::nullopt;
  return LowerCopy(host);
}

// How specifically `hostname` matches `host`: 0 not at all, else higher is more specific
// (exact beats any wildcard; a longer wildcard beats a shorter one).
std::size_t HostScore(std::string_view hostname, std::string_view host) {
  if (hostname.substr(0, 2) == "*.") {
    const std::string_view suffix = hostname.substr(1);  // ".example.com"
    if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) {
      return 1 + suffix.size();
    }
    return 0;
  }
  return hostname == host ? 1000000 : 0;
}

// The routes (indexes into `routes`, in route order) that apply to `host`.
std::vector<std::size_t> ApplicableRoutes(const std::vector<RouteSpec>& routes,
                                          const std::string& host) {
  std::size_t best = 0;
  std::vector<std::size_t> scores(routes.size(), 0);
  for (std::size_t i = 0; i < routes.size(); ++i) {
    for (const std::string& hostname : routes[i].hostnames) {
      scores[i] = std::max(scores[i], HostScore(hostname, host));
    }
    best = std::max(best, scores[i]);
  }
  std::vector<std::size_t> applicable;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (best == 0 ? routes[i].hostnames.empty() : scores[i] == best) applicable.push_back(i);
  }
  return applicable;
}

std::string_view TrimSpaceTab(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The standard header's verdict (docs/routing.md#standard-header).
struct HeaderVerdict {
  enum Kind { kRulesDecide, kRouted, kBadRequest, kNotAllowed } kind = kRulesDecide;
  std::size_t route = 0;
  std::string backend;
};

HeaderVerdict StandardHeaderVerdict(const std::vector<RouteSpec>& routes,
                                    const std::vector<std::size_t>& applicable,
                                    const std::vector<llmroute::Header>& headers) {
  HeaderVerdict verdict;
  std::optional<std::size_t> first_reject;
  for (std::size_t index : applicable) {
    const RouteSpec& route = routes[index];
    if (!route.has_section) continue;
    std::set<std::string> values;
    for (const llmroute::Header& header : headers) {
      if (!EqualsIgnoreCase(header.name, route.header_name)) continue;
      std::string_view rest = header.value;
      while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = TrimSpaceTab(rest.substr(0, comma));
        if (!item.empty()) values.insert(std::string(item));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    if (values.empty()) continue;
    if (values.size() > 1) {
      verdict.kind = HeaderVerdict::kBadRequest;
      return verdict;
    }
    const std::string& value = *values.begin();
    const std::string full =
        value.find('/') == std::string::npos ? route.ns + "/" + value : value;
    if (route.allowed.count(full) != 0) {
      verdict.kind = HeaderVerdict::kRouted;
      verdict.route = index;
      verdict.backend = full;
      return verdict;
    }
    if (route.reject && !first_reject.has_value()) first_reject = index;
  }
  if (first_reject.has_value()) {
    verdict.kind = HeaderVerdict::kNotAllowed;
    verdict.route = *first_reject;
  }
  return verdict;
}

std::string Full(const llmroute::NamespacedName& name) {
  return std::string(name.namespace_) + "/" + std::string(name.name);
}

std::string Full(const llmroute::Fallback& fallback) { return Full(fallback.backend); }

uint64_t Mix(uint64_t entropy) {
  uint64_t z = entropy + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// docs/routing.md#session-affinity: the backendRefs of `members` (indexes into refs) from
// the highest score for `key` down; a tie goes to the earlier backendRef.
std::vector<std::size_t> ByScore(const std::vector<RefSpec>& refs, std::vector<std::size_t> members,
                                 std::string_view key) {
  const uint64_t k = Fnv1a64(key);
  auto score = [&](std::size_t i) {
    std::string identity = refs[i].backend;
    if (refs[i].model_override.has_value()) identity += "#" + *refs[i].model_override;
    const uint64_t x = Mix(k ^ Fnv1a64(identity));
    const double u = (static_cast<double>(x >> 11) + 0.5) / 9007199254740992.0;
    return static_cast<double>(refs[i].weight) / -std::log(u);
  };
  std::stable_sort(members.begin(), members.end(),
                   [&](std::size_t a, std::size_t b) { return score(a) > score(b); });
  return members;
}

// The selection of a rule with these backendRefs.
struct Selection {
  std::optional<std::size_t> chosen;  // index into refs; none without entropy (unknown draw)
  std::vector<std::size_t> fallbacks;
  std::set<std::size_t> eligible;     // what may be chosen or a fallback
  bool panic = false;
  bool affinity = false;
};

// docs/routing.md#selection (and #health, #session-affinity): the chosen backend and the
// fallbacks for `entropy`, `down` backends at weight 0 unless all are down, and the order
// of scores for a non-empty affinity `key`.
Selection Select(const std::vector<RefSpec>& refs, std::optional<uint64_t> entropy,
                 const std::set<std::string>& down = {}, std::string_view key = {}) {
  Selection selection;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].weight > 0 && down.count(refs[i].backend) == 0) selection.eligible.insert(i);
  }
  if (selection.eligible.empty()) {
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (refs[i].weight > 0) selection.eligible.insert(i);
    }
    selection.panic = !selection.eligible.empty();
  }
  std::set<uint64_t> priorities;
  for (std::size_t i : selection.eligible) priorities.insert(refs[i].priority);
  if (priorities.empty()) return selection;
  auto tier_members = [&](uint64_t tier) {
    std::vector<std::size_t> members;
    for (std::size_t i : selection.eligible) {
      if (refs[i].priority == tier) members.push_back(i);
    }
    return members;
  };
  if (!key.empty()) {
    selection.affinity = true;
    for (uint64_t tier : priorities) {
      for (std::size_t i : ByScore(refs, tier_members(tier), key)) {
        if (!selection.chosen.has_value()) {
          selection.chosen = i;
        } else {
          selection.fallbacks.push_back(i);
        }
      }
    }
    return selection;
  }
  const uint64_t tier = *priorities.begin();
  const std::vector<std::size_t> members = tier_members(tier);
  uint64_t total = 0;
  for (std::size_t i : members) total += refs[i].weight;
  std::optional<std::size_t> chosen_position;
  if (entropy.has_value()) {
    const uint64_t r = static_cast<uint64_t>(
        (static_cast<unsigned __int128>(Mix(*entropy)) * total) >> 64);
    uint64_t sum = 0;
    for (std::size_t k = 0; k < members.size(); ++k) {
      sum += refs[members[k]].weight;
      if (sum > r) {
        chosen_position = k;
        break;
      }
    }
  }
  if (!chosen_position.has_value()) return selection;
  for (std::size_t k = 1; k < members.size(); ++k) {
    selection.fallbacks.push_back(members[(*chosen_position + k) % members.size()]);
  }
  for (auto it = std::next(priorities.begin()); it != priorities.end(); ++it) {
    for (std::size_t i : tier_members(*it)) selection.fallbacks.push_back(i);
  }
  selection.chosen = members[*chosen_position];
  return selection;
}

bool SameDecision(const llmroute::Decision& a, const llmroute::Decision& b) {
  const auto same_name = [](const std::optional<llmroute::NamespacedName>& x,
                            const std::optional<llmroute::NamespacedName>& y) {
    if (x.has_value() != y.has_value()) return false;
    return !x.has_value() || (x->namespace_ == y->namespace_ && x->name == y->name);
  };
  if (a.status != b.status || a.http_status != b.http_status || a.via != b.via ||
      !same_name(a.backend, b.backend) || !same_name(a.route, b.route) || a.rule != b.rule ||
      a.rule_name != b.rule_name || a.match != b.match || a.model != b.model ||
      a.model_override != b.model_override || a.reason != b.reason ||
      a.affinity != b.affinity || a.panic != b.panic || a.fallbacks.size() != b.fallbacks.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.fallbacks.size(); ++i) {
    if (Full(a.fallbacks[i]) != Full(b.fallbacks[i])) return false;
  }
  return true;
}

// Printable bytes as they are, the others as \xNN.
std::string Escaped(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out + "\"";
}

std::string Describe(std::size_t variant, const llmroute::Request& request,
                     const llmroute::Decision& d) {
  std::string out = "options variant " + std::to_string(variant) + "\nrequest: method " +
                    Escaped(request.method) + " host " + Escaped(request.host) + " path " +
                    Escaped(request.path);
  for (const llmroute::Header& header : request.headers) {
    out += "\n  header " + Escaped(header.name) + ": " + Escaped(header.value);
  }
  if (request.body.has_value()) {
    out += "\n  body " + Escaped(*request.body) + " padding " +
           std::to_string(request.body_padding);
  }
  if (request.entropy.has_value()) out += "\n  entropy " + std::to_string(*request.entropy);
  out += "\ndecision: " + std::string(llmroute::StatusName(d.status)) + " via " +
         std::string(llmroute::ViaName(d.via));
  if (d.backend.has_value()) out += " backend " + Full(*d.backend);
  if (d.route.has_value()) out += " route " + Full(*d.route);
  if (d.rule.has_value()) out += " rule " + std::to_string(*d.rule);
  if (d.match.has_value()) out += " match " + std::to_string(*d.match);
  if (d.model.has_value()) out += " model " + Escaped(*d.model);
  out += " fallbacks [";
  for (const llmroute::Fallback& f : d.fallbacks) out += Full(f) + " ";
  out += "] reason " + Escaped(d.reason);
  out += d.affinity ? " affinity" : "";
  out += d.panic ? " panic" : "";
  return out;
}

struct Fixture {
  std::vector<OptionsVariant> variants;
  std::vector<std::shared_ptr<const llmroute::RoutingTable>> tables;
  std::vector<std::vector<RouteSpec>> routes;
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    absl::StatusOr<llmroute::Config> config = llmroute::LoadConfigText(kConfig, "rich.yaml");
    if (!config.ok()) {
      std::fprintf(stderr, "config: %s\n", std::string(config.status().message()).c_str());
      std::abort();
    }
    f->variants = {OptionsVariant{},
                   OptionsVariant{.enabled = true},
                   OptionsVariant{.enabled = true, .same_namespace = true, .reject = false},
                   OptionsVariant{.enabled = true, .same_namespace = true,
                                  .header_name = "x-pick"},
                   OptionsVariant{.affinity_header = "x-session"}};
    for (const OptionsVariant& variant : f->variants) {
      llmroute::CompileOptions options;
      options.standard_header.enabled = variant.enabled;
      options.standard_header.header_name = variant.header_name;
      options.standard_header.allowed_backends = variant.same_namespace
                                                     ? llmroute::AllowedBackends::kSameNamespace
                                                     : llmroute::AllowedBackends::kRulesOnly;
      options.standard_header.on_disallowed =
          variant.reject ? llmroute::OnDisallowed::kReject : llmroute::OnDisallowed::kUseRules;
      options.affinity_header = variant.affinity_header;
      absl::StatusOr<std::shared_ptr<const llmroute::RoutingTable>> table =
          llmroute::Compile(*config, options);
      if (!table.ok()) {
        std::fprintf(stderr, "compile: %s\n", std::string(table.status().message()).c_str());
        std::abort();
      }
      f->tables.push_back(*table);
      f->routes.push_back(MakeRoutes(variant));
    }
    return f;
  }();
  return *fixture;
}

constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "post", "", "DELETE"};
constexpr std::string_view kHosts[] = {
    "",  "api.example.com", "API.Example.COM:443", "x.example.com", "a.b.example.com:8080",
    "example.com", "exact.example.com", "a.deep.example.com", "deep.example.com",
    "web.example.org", "other.org", "[::1]:80", "api.example.com.", ".example.com", ":80"};
constexpr std::string_view kPaths[] = {
    "/",  "/v1/chat/completions", "/v1/chat/completions?x=1", "/v2/completions",
    "/v1/embeddings", "/v1/embeddings/x?api-version=2024&region=eu-west",
    "/v1/embeddings?api-version=%32024&region=eu-x", "/v1/models", "/v1/models/gpt",
    "/static/a.css", "/staticx", "/health", "/health?q=a%20b", "/v1?q=a+b", "/v1/x?q=a%20b&q=c",
    "?tier=gold", "/?tier=gold", "/v1/%zz?api-version=%", ""};
constexpr std::string_view kHeaderNames[] = {
    "x-ai-eg-model", "X-AI-EG-MODEL", "x-ai-gateway-backend", "X-Ai-Gateway-Backend", "x-pick",
    "X-PICK", "x-tier", "x-user", "x-check", "content-type", "x-ai-gateway-backend ", "",
    "x-session", "X-Session"};
constexpr std::string_view kHeaderValues[] = {
    "gpt-4o", "llama-70b", "llama-3", "mistral-7b", "old", "zeta", "gold", "bob@corp.com",
    "deep", "openai", "team/openai", " openai\t", "openai, team/openai", "openai,openai",
    ",", " , ", "", "azure", "zero", "models", "tgi", "other/tgi", "other/elsewhere",
    "elsewhere", "declared", "team/declared", "legacy-a", "default/legacy-a", "legacy-b",
    "zeta-a", "zeta/zeta-b", "health", "other/health", "gold", "team/gold", "nope",
    "team/", "/openai", "openai\r", "openai,", "a,b,c"};
constexpr std::string_view kBodies[] = {
    R"({"model": "gpt-4o"})", R"({"model": "llama-70b", "messages": []})",
    R"({"model": "old", "model": "old"})", R"({"model": 1})", R"({})", "[]", "",
    R"({"model": "zeta"} x)", R"({"\u006dodel": "mistral-7b"})", R"({"model": "\ud800"})"};

template <std::size_t N>
std::string_view Pick(FuzzedDataProvider& input, const std::string_view (&options)[N]) {
  return options[input.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

std::string StringOrPick(FuzzedDataProvider& input, std::string_view picked) {
  // One in four: free bytes instead of the picked value.
  if (input.ConsumeIntegralInRange<int>(0, 3) == 0) return input.ConsumeRandomLengthString(64);
  return std::string(picked);
}

void CheckRuleDecision(const llmroute::Decision& d, const RouteSpec& route,
                       std::optional<uint64_t> entropy, const std::set<std::string>& down,
                       std::string_view affinity_key) {
  CHECK_OR_ABORT(d.rule.has_value() && d.match.has_value());
  CHECK_OR_ABORT(*d.rule < route.rules.size());
  const std::vector<RefSpec>& refs = route.rules[*d.rule];
  const Selection selection = Select(refs, entropy, down, affinity_key);
  if (d.status == llmroute::DecisionStatus::kNoBackend) {
    for (const RefSpec& ref : refs) CHECK_OR_ABORT(ref.weight == 0);
    CHECK_OR_ABORT(d.fallbacks.empty() && !d.affinity && !d.panic);
    return;
  }
  CHECK_OR_ABORT(d.status == llmroute::DecisionStatus::kRouted);
  CHECK_OR_ABORT(d.panic == selection.panic);
  CHECK_OR_ABORT(d.affinity == selection.affinity);
  // Without entropy or a key the harness cannot know the draw; check membership only.
  std::optional<std::size_t> chosen_index = selection.chosen;
  std::vector<std::size_t> expected_fallbacks = selection.fallbacks;
  if (!chosen_index.has_value()) {
    // The chosen backend is in the first tier that has an eligible backend.
    uint64_t first_tier = refs[*selection.eligible.begin()].priority;
    for (std::size_t i : selection.eligible) first_tier = std::min(first_tier, refs[i].priority);
    for (std::size_t i : selection.eligible) {
      if (refs[i].backend == Full(*d.backend) && refs[i].priority == first_tier) chosen_index = i;
    }
    CHECK_OR_ABORT(chosen_index.has_value());
    // Same set, any order.
    std::set<std::string> want, got;
    for (std::size_t i : selection.eligible) {
      if (refs[i].backend != refs[*chosen_index].backend) want.insert(refs[i].backend);
    }
    for (const llmroute::Fallback& f : d.fallbacks) got.insert(Full(f));
    CHECK_OR_ABORT(want == got && got.size() == d.fallbacks.size());
  } else {
    CHECK_OR_ABORT(chosen_index.has_value());
    if (refs[*chosen_index].backend != Full(*d.backend)) {
      std::fprintf(stderr, "chose %s, the documented formula says %s\n", Full(*d.backend).c_str(),
                   refs[*chosen_index].backend.c_str());
      std::abort();
    }
    CHECK_OR_ABORT(d.fallbacks.size() == expected_fallbacks.size());
    for (std::size_t k = 0; k < expected_fallbacks.size(); ++k) {
      CHECK_OR_ABORT(Full(d.fallbacks[k]) == refs[expected_fallbacks[k]].backend);
    }
  }
  const std::optional<std::string>& override_want = refs[*chosen_index].model_override;
  CHECK_OR_ABORT(override_want.has_value() == d.model_override.has_value());
  if (override_want.has_value()) CHECK_OR_ABORT(*d.model_override == *override_want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& fixture = GetFixture();
  FuzzedDataProvider input(data, size);

  const std::size_t variant =
      input.ConsumeIntegralInRange<std::size_t>(0, fixture.variants.size() - 1);
  const std::string method = StringOrPick(input, Pick(input, kMethods));
  const std::string host = StringOrPick(input, Pick(input, kHosts));
  const std::string path = StringOrPick(input, Pick(input, kPaths));
  std::optional<uint64_t> entropy;
  if (input.ConsumeBool()) entropy = input.ConsumeIntegral<uint64_t>();
  std::optional<std::string> body;
  if (input.ConsumeIntegralInRange<int>(0, 3) == 0) body = StringOrPick(input, Pick(input, kBodies));
  const std::size_t body_padding =
      input.ConsumeBool() ? llmroute::kBodyPaddingBytes : input.ConsumeIntegralInRange<std::size_t>(0, 70);
  std::vector<std::pair<std::string, std::string>> owned_headers;
  const std::size_t header_count = input.ConsumeIntegralInRange<std::size_t>(0, 10);
  for (std::size_t i = 0; i < header_count && input.remaining_bytes() > 0; ++i) {
    std::string name = StringOrPick(input, Pick(input, kHeaderNames));
    std::string value = StringOrPick(input, Pick(input, kHeaderValues));
    owned_headers.emplace_back(std::move(name), std::move(value));
  }
  std::vector<llmroute::Header> headers;
  for (const auto& [name, value] : owned_headers) headers.push_back({name, value});
  // A health view with the backends of a bit mask down, or none.
  std::optional<llmroute::HealthView> health;
  std::set<std::string> down;
  if (input.ConsumeBool()) {
    health.emplace();
    const uint32_t mask = input.ConsumeIntegral<uint32_t>();
    for (std::size_t i = 0; i < std::size(kBackends); ++i) {
      if ((mask >> i & 1) == 0) continue;
      CHECK_OR_ABORT(health->MarkDown(kBackends[i].first, kBackends[i].second).ok());
      down.insert(std::string(kBackends[i].first) + "/" + std::string(kBackends[i].second));
    }
  }
  // The affinity key: the header's values joined by ",".
  std::optional<std::string> affinity_key;
  const std::string& affinity_header = fixture.variants[variant].affinity_header;
  for (const llmroute::Header& header : headers) {
    if (affinity_header.empty() || !EqualsIgnoreCase(header.name, affinity_header)) continue;
    affinity_key = affinity_key.has_value() ? *affinity_key + "," + std::string(header.value)
                                            : std::string(header.value);
  }

  // The body lives in a buffer of exactly body + body_padding bytes, so reads beyond what
  // the caller owns are caught.
  std::unique_ptr<char[]> body_buffer;
  llmroute::Request request;
  request.method = method;
  request.host = host;
  request.path = path;
  request.headers = headers;
  request.entropy = entropy;
  if (health.has_value()) request.health = &*health;
  if (body.has_value()) {
    body_buffer.reset(new char[body->size() + body_padding + 1]);
    std::copy(body->begin(), body->end(), body_buffer.get());
    std::fill_n(body_buffer.get() + body->size(), body_padding, '}');
    request.body = std::string_view(body_buffer.get(), body->size());
    request.body_padding = body_padding;
  }

  const llmroute::RoutingTable& table = *fixture.tables[variant];
  const std::vector<RouteSpec>& routes = fixture.routes[variant];
  const llmroute::Decision d = table.Resolve(request);
  *g_context = Describe(variant, request, d);

  // The status's HTTP status and what the decision reports with it.
  CHECK_OR_ABORT(d.http_status == llmroute::HttpStatusOf(d.status));
  switch (d.status) {
    case llmroute::DecisionStatus::kRouted: CHECK_OR_ABORT(d.http_status == 200); break;
    case llmroute::DecisionStatus::kNoRoute: CHECK_OR_ABORT(d.http_status == 404); break;
    case llmroute::DecisionStatus::kBackendNotAllowed: CHECK_OR_ABORT(d.http_status == 400); break;
    case llmroute::DecisionStatus::kBadRequest: CHECK_OR_ABORT(d.http_status == 400); break;
    case llmroute::DecisionStatus::kNoBackend: CHECK_OR_ABORT(d.http_status == 500); break;
  }
  const bool routed = d.status == llmroute::DecisionStatus::kRouted;
  CHECK_OR_ABORT(routed == d.backend.has_value());
  CHECK_OR_ABORT(routed == d.reason.empty());
  if (routed) CHECK_OR_ABORT(d.route.has_value() && d.via != llmroute::Via::kNone);
  if (d.status == llmroute::DecisionStatus::kNoRoute ||
      d.status == llmroute::DecisionStatus::kBadRequest) {
    CHECK_OR_ABORT(!d.route.has_value());
    CHECK_OR_ABORT(!d.rule.has_value() && !d.match.has_value());
  }
  if (d.status == llmroute::DecisionStatus::kNoBackend) {
    // A rule matched, but nothing was routed: via stays none (llmroute/decision.h).
    CHECK_OR_ABORT(d.route.has_value() && d.rule.has_value() && d.match.has_value());
    CHECK_OR_ABORT(d.via == llmroute::Via::kNone);
  }
  if (d.status == llmroute::DecisionStatus::kBackendNotAllowed) {
    CHECK_OR_ABORT(d.via == llmroute::Via::kStandardHeader && d.route.has_value());
  }
  std::set<std::string> seen;
  for (const llmroute::Fallback& fallback : d.fallbacks) {
    CHECK_OR_ABORT(!(d.backend.has_value() && Full(fallback) == Full(*d.backend)));
    CHECK_OR_ABORT(seen.insert(Full(fallback)).second);
  }

  // The reported route, against the harness's own reading of the configuration.
  const RouteSpec* route = nullptr;
  std::size_t route_index = 0;
  if (d.route.has_value()) {
    for (std::size_t i = 0; i < routes.size(); ++i) {
      if (routes[i].id == Full(*d.route)) {
        route = &routes[i];
        route_index = i;
      }
    }
    CHECK_OR_ABORT(route != nullptr);
  }
  if (d.via == llmroute::Via::kStandardHeader) {
    CHECK_OR_ABORT(route->has_section);
    CHECK_OR_ABORT(!d.rule.has_value() && !d.match.has_value() && !d.rule_name.has_value());
    CHECK_OR_ABORT(!d.model_override.has_value() && d.fallbacks.empty());
    // The standard header is an explicit choice: health and affinity do not apply.
    CHECK_OR_ABORT(!d.affinity && !d.panic);
    if (routed) {
      // The security invariant of the standard header.
      if (route->allowed.count(Full(*d.backend)) == 0) {
        std::fprintf(stderr, "%s routed to %s, which it does not allow\n", route->id.c_str(),
                     Full(*d.backend).c_str());
        std::abort();
      }
    } else {
      CHECK_OR_ABORT(route->reject);
    }
  }
  if (d.via == llmroute::Via::kRule || d.status == llmroute::DecisionStatus::kNoBackend) {
    CheckRuleDecision(d, *route, entropy, down, affinity_key.value_or(""));
  }

  const std::optional<std::string> clean_host = CleanHost(host);
  if (clean_host.has_value()) {
    const std::vector<std::size_t> applicable = ApplicableRoutes(routes, *clean_host);
    if (route != nullptr) {
      CHECK_OR_ABORT(std::find(applicable.begin(), applicable.end(), route_index) !=
                     applicable.end());
    }
    if (!body.has_value()) {
      const HeaderVerdict verdict = StandardHeaderVerdict(routes, applicable, headers);
      switch (verdict.kind) {
        case HeaderVerdict::kRouted:
          CHECK_OR_ABORT(routed && d.via == llmroute::Via::kStandardHeader);
          CHECK_OR_ABORT(route_index == verdict.route && Full(*d.backend) == verdict.backend);
          break;
        case HeaderVerdict::kBadRequest:
          CHECK_OR_ABORT(d.status == llmroute::DecisionStatus::kBadRequest);
          break;
        case HeaderVerdict::kNotAllowed:
          CHECK_OR_ABORT(d.status == llmroute::DecisionStatus::kBackendNotAllowed);
          CHECK_OR_ABORT(route_index == verdict.route);
          break;
        case HeaderVerdict::kRulesDecide:
          CHECK_OR_ABORT(d.via != llmroute::Via::kStandardHeader);
          CHECK_OR_ABORT(d.status != llmroute::DecisionStatus::kBadRequest);
          break;
      }
    }
  }

  if (!routed) CHECK_OR_ABORT(!d.affinity && !d.panic);
  if (entropy.has_value() || (routed && d.affinity)) {
    const llmroute::Decision again = table.Resolve(request);
    CHECK_OR_ABORT(SameDecision(d, again));
  }
  return 0;
}
