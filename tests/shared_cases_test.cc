// The shared cases (tests/data/shared_cases.json) through the C++ API: the same requests and
// expected decisions the Python and Lua binding tests read, so every interface decides
// alike. One test per case.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/health.h"
#include "llmroute/load.h"
#include "llmroute/request.h"
#include "llmroute/table.h"
#include "simdjson.h"

namespace llmroute {
namespace {

constexpr char kCasesFile[] = LLMROUTE_TEST_DATA_DIR "/shared_cases.json";

// A decision rendered as the cases file writes it: names as "namespace/name", absent
// values as std::nullopt.
struct Rendered {
  std::string status;
  int http_status = 0;
  std::optional<std::string> via, backend, route;
  std::optional<int64_t> rule;
  std::optional<std::string> rule_name;
  std::optional<int64_t> match;
  std::optional<std::string> model, model_override;
  std::vector<std::string> fallbacks;
  bool has_reason = false;
  std::optional<std::string> backend_kind;
  // The mutations as the cases file writes them: header_set, header_remove, body_set,
  // body_remove, each pair rendered "a=b"; nullopt when there are none.
  std::optional<std::vector<std::vector<std::string>>> mutations;
  // The retry policy as "codes=429,503 attempts=2 backoff_ms=100"; null when none.
  std::optional<std::string> retry;
  // Each next-attempt answer: "ns/name" or "ns/name model=m"; null when none.
  std::vector<std::optional<std::string>> next;
  bool affinity = false;
  bool panic = false;

  bool operator==(const Rendered&) const = default;
};

std::string Show(const std::optional<std::string>& s) { return s ? "\"" + *s + "\"" : "null"; }
std::string Show(const std::optional<int64_t>& i) { return i ? std::to_string(*i) : "null"; }

std::ostream& operator<<(std::ostream& out, const Rendered& r) {
  out << "{status: " << r.status << ", http_status: " << r.http_status << ", via: " << Show(r.via)
      << ", backend: " << Show(r.backend) << ", route: " << Show(r.route)
      << ", rule: " << Show(r.rule) << ", rule_name: " << Show(r.rule_name)
      << ", match: " << Show(r.match) << ", model: " << Show(r.model)
      << ", model_override: " << Show(r.model_override) << ", fallbacks: [";
  for (const std::string& f : r.fallbacks) out << f << " ";
  out << "], reason: " << (r.has_reason ? "yes" : "null") << ", backend_kind: " << Show(r.backend_kind)
      << ", affinity: " << r.affinity << ", panic: " << r.panic << ", mutations: ";
  if (!r.mutations) {
    out << "null";
  } else {
    for (const auto& list : *r.mutations) {
      out << "[";
      for (const std::string& item : list) out << item << " ";
      out << "]";
    }
  }
  out << ", retry: " << Show(r.retry) << ", next: [";
  for (const std::optional<std::string>& n : r.next) out << Show(n) << " ";
  return out << "]}";
}

struct Case {
  std::string suite;
  std::string name;
  std::string config;  // path
  CompileOptions options;
  // The request, owning its strings.
  std::string method = "GET", host, path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  std::optional<uint64_t> entropy;
  std::vector<std::pair<uint32_t, int>> next_questions;  // (attempts made, last status)
  std::vector<std::pair<std::string, std::string>> down;  // (namespace, name)
  Rendered expect;
};

std::string RenderRetry(std::span<const uint16_t> codes, int64_t attempts, int64_t backoff_ms) {
  std::string out = "codes=";
  for (std::size_t i = 0; i < codes.size(); ++i) out += (i ? "," : "") + std::to_string(codes[i]);
  return out + " attempts=" + std::to_string(attempts) + " backoff_ms=" + std::to_string(backoff_ms);
}

std::string RenderAttempt(std::string_view backend, const std::optional<std::string>& model) {
  return std::string(backend) + (model ? " model=" + *model : "");
}

std::string Str(simdjson::dom::element e) {
  const std::string_view view(e);
  return std::string(view);
}

std::optional<std::string> OptionalString(simdjson::dom::element e) {
  if (e.is_null()) return std::nullopt;
  return Str(e);
}

std::optional<int64_t> OptionalInt(simdjson::dom::element e) {
  if (e.is_null()) return std::nullopt;
  return int64_t(e);
}

CompileOptions ReadOptions(simdjson::dom::object options) {
  CompileOptions out;
  for (auto [key, value] : options) {
    const std::string_view v(value);
    if (key == "standard_header") {
      out.standard_header.enabled = true;
      out.standard_header.header_name = std::string(v);
    } else if (key == "on_disallowed") {
      out.standard_header.on_disallowed =
          v == "UseRules" ? OnDisallowed::kUseRules : OnDisallowed::kReject;
    } else if (key == "allowed_backends") {
      out.standard_header.allowed_backends =
          v == "SameNamespace" ? AllowedBackends::kSameNamespace : AllowedBackends::kRulesOnly;
    } else if (key == "model_header") {
      out.model_header = std::string(v);
    } else {
      ADD_FAILURE() << "unknown option " << key;
    }
  }
  return out;
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(kCasesFile).get(doc) != simdjson::SUCCESS) return cases;
  for (simdjson::dom::object suite : doc["suites"].get_array()) {
    const std::string suite_name = Str(suite["name"]);
    const std::string config =
        std::string(LLMROUTE_TEST_DATA_DIR "/") + Str(suite["config"]);
    const CompileOptions options = ReadOptions(suite["options"].get_object());
    for (simdjson::dom::object c : suite["cases"].get_array()) {
      Case out;
      out.suite = suite_name;
      out.name = Str(c["name"]);
      out.config = config;
      out.options = options;
      simdjson::dom::object request = c["request"];
      for (auto [key, value] : request) {
        if (key == "method") out.method = Str(value);
        if (key == "host") out.host = Str(value);
        if (key == "path") out.path = Str(value);
        if (key == "body") out.body = Str(value);
        if (key == "entropy") out.entropy = uint64_t(value);
        if (key == "down") {
          for (simdjson::dom::element item : value.get_array()) {
            const std::string full = Str(item);
            const std::size_t slash = full.find('/');
            out.down.emplace_back(full.substr(0, slash), full.substr(slash + 1));
          }
        }
        if (key == "headers") {
          for (simdjson::dom::array pair : value.get_array()) {
            out.headers.emplace_back(Str(pair.at(0)), Str(pair.at(1)));
          }
        }
      }
      simdjson::dom::object e = c["expect"];
      out.expect.status = Str(e["status"]);
      out.expect.http_status = static_cast<int>(int64_t(e["http_status"]));
      out.expect.via = OptionalString(e["via"]);
      out.expect.backend = OptionalString(e["backend"]);
      out.expect.route = OptionalString(e["route"]);
      out.expect.rule = OptionalInt(e["rule"]);
      out.expect.rule_name = OptionalString(e["rule_name"]);
      out.expect.match = OptionalInt(e["match"]);
      out.expect.model = OptionalString(e["model"]);
      out.expect.model_override = OptionalString(e["model_override"]);
      for (simdjson::dom::element f : e["fallbacks"].get_array()) {
        out.expect.fallbacks.push_back(Str(f));
      }
      out.expect.has_reason = out.expect.status != "routed";
      // Absent from a case: a plain backend when routed, and no mutations.
      simdjson::dom::element kind;
      if (e["backend_kind"].get(kind) == simdjson::SUCCESS) {
        out.expect.backend_kind = OptionalString(kind);
      } else if (out.expect.status == "routed") {
        out.expect.backend_kind = "Backend";
      }
      simdjson::dom::object mutations;
      if (e["mutations"].get(mutations) == simdjson::SUCCESS) {
        std::vector<std::vector<std::string>> lists;
        for (const char* key : {"header_set", "header_remove", "body_set", "body_remove"}) {
          std::vector<std::string>& list = lists.emplace_back();
          for (simdjson::dom::element item : mutations[key].get_array()) {
            if (item.is_array()) {
              list.push_back(Str(item.at(0)) + "=" + Str(item.at(1)));
            } else {
              list.push_back(Str(item));
            }
          }
        }
        out.expect.mutations = std::move(lists);
      }
      simdjson::dom::element retry;
      if (e["retry"].get(retry) == simdjson::SUCCESS && !retry.is_null()) {
        std::vector<uint16_t> codes;
        for (simdjson::dom::element code : retry["codes"].get_array()) {
          codes.push_back(static_cast<uint16_t>(int64_t(code)));
        }
        out.expect.retry = RenderRetry(codes, int64_t(retry["attempts"]), int64_t(retry["backoff_ms"]));
      }
      simdjson::dom::array next;
      if (e["next"].get(next) == simdjson::SUCCESS) {
        for (simdjson::dom::object question : next) {
          out.next_questions.emplace_back(static_cast<uint32_t>(int64_t(question["attempt"])),
                                          static_cast<int>(int64_t(question["status"])));
          simdjson::dom::element answer = question["expect"];
          if (answer.is_null()) {
            out.expect.next.push_back(std::nullopt);
          } else {
            out.expect.next.push_back(RenderAttempt(Str(answer["backend"]), OptionalString(answer["model_override"])));
          }
        }
      }
      bool flag = false;
      if (e["affinity"].get(flag) == simdjson::SUCCESS) out.expect.affinity = flag;
      if (e["panic"].get(flag) == simdjson::SUCCESS) out.expect.panic = flag;
      cases.push_back(std::move(out));
    }
  }
  return cases;
}

const std::vector<Case>& AllCases() {
  static const std::vector<Case>* cases = new std::vector<Case>(LoadCases());
  return *cases;
}

// One table per (config, options) suite, compiled once.
std::shared_ptr<const RoutingTable> TableFor(const Case& c) {
  static auto* tables = new std::map<std::string, std::shared_ptr<const RoutingTable>>();
  auto it = tables->find(c.suite);
  if (it != tables->end()) return it->second;
  absl::StatusOr<Config> config = LoadConfigFile(c.config);
  if (!config.ok()) {
    ADD_FAILURE() << config.status();
    return nullptr;
  }
  absl::StatusOr<std::shared_ptr<const RoutingTable>> table = Compile(*config, c.options);
  if (!table.ok()) {
    ADD_FAILURE() << table.status();
    return nullptr;
  }
  return (*tables)[c.suite] = *table;
}

std::optional<std::string> Render(const std::optional<NamespacedName>& n) {
  if (!n) return std::nullopt;
  return std::string(n->namespace_) + "/" + std::string(n->name);
}

std::optional<std::string> Render(const std::optional<std::string_view>& s) {
  if (!s) return std::nullopt;
  return std::string(*s);
}

Rendered Render(const Decision& d, std::span<const std::pair<uint32_t, int>> next_questions) {
  Rendered r;
  r.status = std::string(StatusName(d.status));
  r.http_status = d.http_status;
  if (d.via != Via::kNone) r.via = std::string(ViaName(d.via));
  r.backend = Render(d.backend);
  r.route = Render(d.route);
  if (d.rule) r.rule = *d.rule;
  r.rule_name = Render(d.rule_name);
  if (d.match) r.match = *d.match;
  r.model = Render(d.model);
  r.model_override = Render(d.model_override);
  for (const Fallback& f : d.fallbacks) r.fallbacks.push_back(*Render(std::optional(f.backend)));
  r.has_reason = !d.reason.empty();
  if (d.backend) r.backend_kind = std::string(BackendRefKindName(d.backend_kind));
  if (d.mutations != nullptr) {
    std::vector<std::vector<std::string>> lists(4);
    for (const auto& h : d.mutations->header_set) lists[0].push_back(std::string(h.name) + "=" + std::string(h.value));
    for (std::string_view h : d.mutations->header_remove) lists[1].push_back(std::string(h));
    for (const auto& f : d.mutations->body_set) lists[2].push_back(std::string(f.path) + "=" + std::string(f.value));
    for (std::string_view f : d.mutations->body_remove) lists[3].push_back(std::string(f));
    r.mutations = std::move(lists);
  }
  if (d.retry != nullptr) r.retry = RenderRetry(d.retry->codes, d.retry->attempts, d.retry->backoff_ms);
  for (const auto& [attempts_made, last_status] : next_questions) {
    const Fallback* next = NextAttempt(d, attempts_made, last_status);
    if (next == nullptr) {
      r.next.push_back(std::nullopt);
    } else {
      r.next.push_back(RenderAttempt(*Render(std::optional(next->backend)), Render(next->model_override)));
    }
  }
  r.affinity = d.affinity;
  r.panic = d.panic;
  return r;
}

TEST(SharedCases, FileLoads) {
  EXPECT_GE(AllCases().size(), 20u) << "cannot read " << kCasesFile;
}

class SharedCaseTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SharedCaseTest, DecidesAsExpected) {
  const Case& c = AllCases()[GetParam()];
  SCOPED_TRACE(c.suite + ": " + c.name);
  std::shared_ptr<const RoutingTable> table = TableFor(c);
  ASSERT_NE(table, nullptr);
  std::vector<Header> headers;
  for (const auto& [name, value] : c.headers) headers.push_back({name, value});
  Request request;
  request.method = c.method;
  request.host = c.host;
  request.path = c.path;
  request.headers = headers;
  if (c.body) request.body = *c.body;
  request.entropy = c.entropy;
  HealthView health;
  for (const auto& [namespace_, name] : c.down) ASSERT_TRUE(health.MarkDown(namespace_, name).ok());
  if (!c.down.empty()) request.health = &health;
  EXPECT_EQ(Render(table->Resolve(request), c.next_questions), c.expect);
}

std::string CaseName(const ::testing::TestParamInfo<std::size_t>& info) {
  const Case& c = AllCases()[info.param];
  std::string name = std::to_string(info.param) + "_" + c.suite + "_";
  for (char ch : c.name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (ok) {
      name += ch;
    } else if (name.back() != '_') {
      name += '_';
    }
  }
  while (name.back() == '_') name.pop_back();
  return name;
}

// The "models" section: the /v1/models entries of every route, or of one host's routes.
TEST(SharedCases, ModelsAsExpected) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(kCasesFile).get(doc), simdjson::SUCCESS);
  simdjson::dom::object models = doc["models"];
  absl::StatusOr<Config> config =
      LoadConfigFile(std::string(LLMROUTE_TEST_DATA_DIR "/") + Str(models["config"]));
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<std::shared_ptr<const RoutingTable>> table = Compile(*config);
  ASSERT_TRUE(table.ok()) << table.status();
  int count = 0;
  for (simdjson::dom::object c : models["cases"].get_array()) {
    SCOPED_TRACE(Str(c["name"]));
    const std::optional<std::string> host = OptionalString(c["host"]);
    const std::span<const ModelEntry> got = host ? (*table)->models(*host) : (*table)->models();
    std::vector<std::string> expected, actual;
    for (simdjson::dom::object m : c["expect"].get_array()) {
      expected.push_back(Str(m["id"]) + " " + Str(m["route"]) + " " + Str(m["owned_by"]) + " " +
                         std::to_string(int64_t(m["created"])));
    }
    for (const ModelEntry& m : got) {
      actual.push_back(std::string(m.model) + " " + std::string(m.route.namespace_) + "/" +
                       std::string(m.route.name) + " " + std::string(m.owned_by) + " " +
                       std::to_string(m.created));
    }
    EXPECT_EQ(actual, expected);
    ++count;
  }
  EXPECT_GE(count, 5);
}

INSTANTIATE_TEST_SUITE_P(File, SharedCaseTest,
                         ::testing::Range<std::size_t>(0, AllCases().size()), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SharedCaseTest);

}  // namespace
}  // namespace llmroute
