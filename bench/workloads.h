// Generated configurations and precomputed requests shared by the benchmarks and by the
// zero-allocation test, so both measure exactly the same workloads.
#ifndef LLMROUTE_BENCH_WORKLOADS_H_
#define LLMROUTE_BENCH_WORKLOADS_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "llmroute/llmroute.h"

namespace llmroute::bench {

// A request whose strings live in the struct itself, handed to resolve as views.
struct OwnedRequest {
  std::string method = "POST";
  std::string host = "gateway.example.com";
  std::string path = "/v1/chat/completions";
  std::vector<std::pair<std::string, std::string>> header_storage;
  std::vector<Header> headers;
  uint64_t entropy = 0;
  std::string body;  // with kBodyPaddingBytes spare bytes after it; "" for none

  void Add(std::string name, std::string value) { header_storage.emplace_back(std::move(name), std::move(value)); }
  // Builds the views; call once all headers are added and the struct will not move again.
  Request View() {
    headers.clear();
    for (const auto& [name, value] : header_storage) headers.push_back({name, value});
    Request request;
    request.method = method;
    request.host = host;
    request.path = path;
    request.headers = headers;
    request.entropy = entropy;
    if (!body.empty()) {
      request.body = std::string_view(body).substr(0, body.size() - kBodyPaddingBytes);
      request.body_padding = kBodyPaddingBytes;
    }
    return request;
  }
};

// ~12 headers a real client sends, around the ones that route. `routing` are inserted in
// the middle, as proxies see them.
inline void AddRealisticHeaders(OwnedRequest& request, std::mt19937_64& rng,
                                const std::vector<std::pair<std::string, std::string>>& routing) {
  request.Add("Host", request.host);
  request.Add("User-Agent", "OpenAI/Python 1.54.4");
  request.Add("Accept", "application/json");
  request.Add("Content-Type", "application/json");
  request.Add("Content-Length", std::to_string(200 + rng() % 4000));
  request.Add("Authorization", "Bearer sk-proj-" + std::to_string(rng()));
  for (const auto& [name, value] : routing) request.Add(name, value);
  request.Add("X-Request-Id", std::to_string(rng()));
  request.Add("X-Forwarded-For", "10.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256));
  request.Add("Accept-Encoding", "gzip, deflate");
  request.Add("Connection", "keep-alive");
  request.Add("traceparent", "00-" + std::to_string(rng()) + "-01");
}

// One AIGatewayRoute with n rules; rule i matches x-ai-eg-model: model-i → backend-i.
// `standard_header` adds an enabled standardRoutingHeader (RulesOnly, Reject).
inline std::string ModelRoutingYaml(int n, bool standard_header) {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\n"
      "metadata: {name: models, namespace: default}\nspec:\n";
  if (standard_header) yaml += "  standardRoutingHeader: {enabled: true}\n";
  yaml += "  rules:\n";
  for (int i = 0; i < n; ++i) {
    yaml += "  - matches: [{headers: [{type: Exact, name: x-ai-eg-model, value: model-" +
            std::to_string(i) + "}]}]\n    backendRefs: [{name: backend-" + std::to_string(i) + "}]\n";
  }
  return yaml;
}

inline std::shared_ptr<const RoutingTable> CompileOrDie(const std::string& yaml) {
  auto config = LoadConfigText(yaml, "generated.yaml");
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    std::abort();
  }
  auto table = Compile(*config);
  if (!table.ok()) {
    std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str());
    std::abort();
  }
  return *table;
}

// Requests for the model-routing tables: a uniformly drawn model among n.
inline std::vector<OwnedRequest> ModelRequests(int n, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    AddRealisticHeaders(request, rng, {{"x-ai-eg-model", "model-" + std::to_string(rng() % n)}});
    request.entropy = rng();
  }
  return requests;
}

// Requests naming a backend by the standard header: allowed (backend-k) or not.
inline std::vector<OwnedRequest> StandardHeaderRequests(int n, int count, bool allowed, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    const std::string model = "model-" + std::to_string(rng() % n);
    const std::string backend = allowed ? "backend-" + std::to_string(rng() % n) : "not-a-backend";
    AddRealisticHeaders(request, rng, {{"x-ai-eg-model", model}, {"x-ai-gateway-backend", backend}});
    request.entropy = rng();
  }
  return requests;
}

// 100 rules with RegularExpression header matches on the model.
inline std::string RegexYaml(int n) {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\n"
      "metadata: {name: regex, namespace: default}\nspec:\n  rules:\n";
  for (int i = 0; i < n; ++i) {
    yaml += "  - matches: [{headers: [{type: RegularExpression, name: x-ai-eg-model, value: 'family-" +
            std::to_string(i) + "-[a-z]+(-v[0-9]+)?'}]}]\n    backendRefs: [{name: backend-" +
            std::to_string(i) + "}]\n";
  }
  return yaml;
}

inline std::vector<OwnedRequest> RegexRequests(int n, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    AddRealisticHeaders(request, rng, {{"x-ai-eg-model", "family-" + std::to_string(rng() % n) + "-mini-v" +
                                                            std::to_string(rng() % 10)}});
    request.entropy = rng();
  }
  return requests;
}

// A Gateway API mix: 10 HTTPRoutes × 100 rules, each route with its own hostname; rules
// cycle through exact paths, prefixes, methods, query params and headers.
inline std::string GatewayMixYaml() {
  std::string yaml;
  for (int r = 0; r < 10; ++r) {
    yaml += "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: svc-" +
            std::to_string(r) + "}\nspec:\n  hostnames: [svc-" + std::to_string(r) +
            ".example.com]\n  rules:\n";
    for (int i = 0; i < 100; ++i) {
      const std::string n = std::to_string(i);
      std::string match;
      switch (i % 5) {
        case 0: match = "{path: {type: Exact, value: /api/v1/items/" + n + "}}"; break;
        case 1: match = "{path: {type: PathPrefix, value: /svc/" + n + "}}"; break;
        case 2: match = "{path: {type: PathPrefix, value: /m/" + n + "}, method: POST}"; break;
        case 3: match = "{path: {type: PathPrefix, value: /q}, queryParams: [{name: tenant, value: t" + n + "}]}"; break;
        case 4: match = "{headers: [{name: x-tenant, value: t" + n + "}, {name: x-tier, value: gold}]}"; break;
      }
      yaml += "  - matches: [" + match + "]\n    backendRefs: [{name: b-" + std::to_string(r) + "-" + n + "}]\n";
    }
  }
  return yaml;
}

inline std::vector<OwnedRequest> GatewayMixRequests(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    const int route = rng() % 10;
    const int kind = rng() % 5;
    const std::string n = std::to_string(kind + 5 * (rng() % 20));
    request.host = "svc-" + std::to_string(route) + ".example.com:443";
    request.method = "GET";
    std::vector<std::pair<std::string, std::string>> routing;
    switch (kind) {
      case 0: request.path = "/api/v1/items/" + n; break;
      case 1: request.path = "/svc/" + n + "/deep/path"; break;
      case 2: request.path = "/m/" + n + "/create"; request.method = "POST"; break;
      case 3: request.path = "/q/search?limit=10&tenant=t" + n; break;
      case 4: request.path = "/anything"; routing = {{"X-Tenant", "t" + n}, {"X-Tier", "gold"}}; break;
    }
    AddRealisticHeaders(request, rng, routing);
    request.entropy = rng();
  }
  return requests;
}

// 1000 routes with distinct hostnames: half exact, half wildcards.
inline std::string HostsYaml(int n) {
  std::string yaml;
  for (int i = 0; i < n; ++i) {
    const std::string host = i % 2 == 0 ? "host-" + std::to_string(i) + ".example.com"
                                        : "'*.zone-" + std::to_string(i) + ".example.net'";
    yaml += "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: h-" +
            std::to_string(i) + "}\nspec:\n  hostnames: [" + host + "]\n  rules:\n  - backendRefs: [{name: b-" +
            std::to_string(i) + "}]\n";
  }
  return yaml;
}

inline std::vector<OwnedRequest> HostsRequests(int n, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    const int i = rng() % n;
    request.host = i % 2 == 0 ? "HOST-" + std::to_string(i) + ".example.com"
                              : "api.eu.zone-" + std::to_string(i) + ".example.net:8443";
    AddRealisticHeaders(request, rng, {});
    request.entropy = rng();
  }
  return requests;
}

// One rule with 8 weighted backends in two priorities.
inline std::string SelectionYaml() {
  return "apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\n"
         "metadata: {name: weighted}\nspec:\n  rules:\n  - backendRefs:\n"
         "    - {name: a, weight: 10}\n    - {name: b, weight: 20}\n    - {name: c, weight: 30}\n"
         "    - {name: d, weight: 40}\n    - {name: e, weight: 5}\n"
         "    - {name: f, weight: 1, priority: 1}\n    - {name: g, weight: 1, priority: 1}\n"
         "    - {name: h, weight: 1, priority: 1}\n";
}

inline std::vector<OwnedRequest> SelectionRequests(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    AddRealisticHeaders(request, rng, {});
    request.entropy = rng();
  }
  return requests;
}

// One rule (model "chat") with n backends of weight 1 and session affinity on the
// x-session-id header, or on the body's "user" field.
inline std::string AffinityYaml(int n, bool body_field) {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"
      "metadata: {name: sticky, namespace: default}\nspec:\n  sessionAffinity: ";
  yaml += body_field ? "{bodyField: user}\n" : "{header: x-session-id}\n";
  yaml += "  rules:\n  - matches: [{headers: [{name: x-ai-eg-model, value: chat}]}]\n"
          "    backendRefs:\n";
  for (int i = 0; i < n; ++i) yaml += "    - {name: backend-" + std::to_string(i) + "}\n";
  return yaml;
}

// A session id as clients send them: a UUID.
inline std::string SessionId(std::mt19937_64& rng) {
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 36; ++i) id += (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : kHex[rng() % 16];
  return id;
}

// Requests for AffinityYaml: the key in the header, or a chat body carrying the model and
// the user (the body then replaces the model header).
inline std::vector<OwnedRequest> AffinityRequests(int count, uint64_t seed, bool body_field) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    const std::string id = SessionId(rng);
    if (body_field) {
      AddRealisticHeaders(request, rng, {});
      request.body = R"({"model": "chat", "user": ")" + id +
                     R"(", "messages": [{"role": "user", "content": "Summarize our last talk."}]})" +
                     std::string(kBodyPaddingBytes, ' ');
    } else {
      AddRealisticHeaders(request, rng, {{"x-ai-eg-model", "chat"}, {"x-session-id", id}});
    }
    request.entropy = rng();
  }
  return requests;
}

// One rule (model "chat") with 8 backends of weight 1, chosen by entropy.
inline std::string HealthYaml() {
  std::string yaml =
      "apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\n"
      "metadata: {name: healthy, namespace: default}\nspec:\n  rules:\n"
      "  - matches: [{headers: [{name: x-ai-eg-model, value: chat}]}]\n    backendRefs:\n";
  for (int i = 0; i < 8; ++i) yaml += "    - {name: healthy-" + std::to_string(i) + "}\n";
  return yaml;
}

inline std::vector<OwnedRequest> HealthRequests(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OwnedRequest> requests(count);
  for (OwnedRequest& request : requests) {
    AddRealisticHeaders(request, rng, {{"x-ai-eg-model", "chat"}});
    request.entropy = rng();
  }
  return requests;
}

// Views of precomputed requests; the OwnedRequests must outlive them.
inline std::vector<Request> Views(std::vector<OwnedRequest>& owned) {
  std::vector<Request> views;
  for (OwnedRequest& request : owned) views.push_back(request.View());
  return views;
}

}  // namespace llmroute::bench

#endif  // LLMROUTE_BENCH_WORKLOADS_H_
