#include "reference/reference_resolver.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include "body/model_extractor.h"
#include "llmroute/health.h"
#include "re2/re2.h"
#include "text/http_text.h"

namespace llmroute::reference {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Full(std::string_view ns, std::string_view name) {
  return std::string(ns) + "/" + std::string(name);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986: "%XX" is the byte XX; anything else (including '+' and a lone '%') as is.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The request's header `name` (any case): its values joined by ",", or nothing.
std::optional<std::string> JoinedHeader(const Request& request, std::string_view name) {
  const std::string lower = Lower(name);
  std::optional<std::string> joined;
  for (const Header& h : request.headers) {
    if (Lower(h.name) != lower) continue;
    if (joined.has_value()) {
      *joined += ",";
      *joined += h.value;
    } else {
      joined = std::string(h.value);
    }
  }
  return joined;
}

// The decoded value of the first query parameter whose decoded name is `name`.
std::optional<std::string> QueryParam(std::string_view target, std::string_view name) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      const std::string_view raw_name = pair.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      if (PercentDecode(raw_name) == name) return PercentDecode(raw_value);
    }
    if (amp == std::string_view::npos) return std::nullopt;
    query.remove_prefix(amp + 1);
  }
}

// Specificity of a route's best hostname for `host` (already without port, lower case,
// one trailing dot dropped): -1 no hostname matches; 0 the route has no hostnames;
// otherwise exact beats every wildcard and a longer wildcard beats a shorter one.
int HostSpecificity(const Route& route, std::string_view host) {
  if (route.hostnames.empty()) return 0;
  int best = -1;
  for (const LocatedString& written : route.hostnames) {
    const std::string hostname = Lower(written.value);
    if (hostname.starts_with("*.")) {
      const std::string_view suffix = std::string_view(hostname).substr(1);  // ".example.com"
      if (host.size() > suffix.size() && host.ends_with(suffix)) {
        best = std::max(best, 1 + static_cast<int>(hostname.size()));
      }
    } else if (host == hostname) {
      best = std::max(best, 1 << 20);
    }
  }
  return best;
}

// Precedence, criteria 1-5: distinct names only (the first occurrence counts).
struct MatchShape {
  int path_rank = 2;  // Exact 0, RegularExpression 1, PathPrefix 2
  std::size_t path_length = 1;
  bool has_method = false;
  int headers = 0, exact_headers = 0, queries = 0, exact_queries = 0;
};

MatchShape ShapeOf(const RouteMatch& match) {
  MatchShape shape;
  shape.path_rank = match.path.type == MatchType::kExact               ? 0
                    : match.path.type == MatchType::kRegularExpression ? 1
                                                                        : 2;
  shape.path_length = match.path.value.value.size();
  shape.has_method = match.method.has_value();
  std::set<std::string> seen;
  for (const ValueMatch& h : match.headers) {
    if (!seen.insert(Lower(h.name.value)).second) continue;
    ++shape.headers;
    if (h.type == MatchType::kExact) ++shape.exact_headers;
  }
  seen.clear();
  for (const ValueMatch& q : match.query_params) {
    if (!seen.insert(q.name.value).second) continue;
    ++shape.queries;
    if (q.type == MatchType::kExact) ++shape.exact_queries;
  }
  return shape;
}

const RouteMatch& ImplicitMatch() {
  static const RouteMatch match;  // PathPrefix "/", nothing else
  return match;
}

std::string RetryText(const std::vector<uint16_t>& codes, uint32_t attempts, uint64_t backoff_ms) {
  std::string text = "codes=[";
  for (std::size_t i = 0; i < codes.size(); ++i) text += (i ? "," : "") + std::to_string(codes[i]);
  return text + "] attempts=" + std::to_string(attempts) + " backoff_ms=" + std::to_string(backoff_ms);
}

// --- Session affinity (docs/routing.md#affinity) ---

// score = w / -log(u), u = ((x >> 11) + 0.5) / 2^53, x = mix(k ^ fnv1a64(identity)).
double Score(uint64_t key_hash, std::string_view identity, uint64_t weight) {
  const uint64_t x = Mix(key_hash ^ Fnv1a64(identity));
  const double u = (static_cast<double>(x >> 11) + 0.5) / 9007199254740992.0;  // 2^53
  return static_cast<double>(weight) / -std::log(u);
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t Hex4(std::string_view s, std::size_t at) {
  uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = v * 16 + static_cast<uint32_t>(HexValue(s[at + k]));
  return v;
}

// The JSON string starting at s[i] == '"', unescaped; `i` ends past its closing quote.
// Nothing when it holds a lone surrogate. `s` is known to be well-formed JSON.
std::optional<std::string> ReadJsonString(std::string_view s, std::size_t& i) {
  std::string out;
  bool valid = true;
  ++i;
  while (s[i] != '"') {
    if (s[i] != '\\') {
      out.push_back(s[i++]);
      continue;
    }
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp = Hex4(s, i);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u' &&
            Hex4(s, i + 2) >= 0xDC00 && Hex4(s, i + 2) <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (Hex4(s, i + 2) - 0xDC00);
          i += 6;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
          valid = false;
        }
        AppendUtf8(out, cp);
        break;
      }
      default: out.push_back(e);  // '"', '\\', '/'
    }
  }
  ++i;
  if (!valid) return std::nullopt;
  return out;
}

void SkipJsonSpace(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
}

// Skips the JSON value at s[i].
void SkipJsonValue(std::string_view s, std::size_t& i) {
  if (s[i] == '"') {
    ReadJsonString(s, i);
    return;
  }
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    do {
      if (s[i] == '"') {
        ReadJsonString(s, i);
        continue;
      }
      if (s[i] == '{' || s[i] == '[') ++depth;
      if (s[i] == '}' || s[i] == ']') --depth;
      ++i;
    } while (depth > 0);
    return;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
         s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
    ++i;
  }
}

// The unescaped string of the last top-level member of the JSON object `body` whose
// unescaped name is `field`; nothing when there is none, or the last is not a string (or
// not valid Unicode). `body` has already been read as one well-formed JSON object.
std::optional<std::string> TopLevelStringField(std::string_view body, std::string_view field) {
  std::optional<std::string> found;
  std::size_t i = 0;
  SkipJsonSpace(body, i);
  ++i;  // '{'
  SkipJsonSpace(body, i);
  while (i < body.size() && body[i] == '"') {
    const std::optional<std::string> name = ReadJsonString(body, i);
    SkipJsonSpace(body, i);
    ++i;  // ':'
    SkipJsonSpace(body, i);
    if (body[i] == '"') {
      std::optional<std::string> value = ReadJsonString(body, i);
      if (name == field) found = std::move(value);
    } else {
      if (name == field) found.reset();
      SkipJsonValue(body, i);
    }
    SkipJsonSpace(body, i);
    if (i >= body.size() || body[i] != ',') break;
    ++i;
    SkipJsonSpace(body, i);
  }
  return found;
}

}  // namespace

// FNV-1a, 64 bits.
uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// The four `z` lines of the weighted choice, with `x` in place of the entropy.
uint64_t Mix(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Outcome FromDecision(const Decision& d) {
  Outcome o;
  o.status = d.status;
  o.http_status = d.http_status;
  o.via = d.via;
  if (d.backend) o.backend = Full(d.backend->namespace_, d.backend->name);
  if (d.route) o.route = Full(d.route->namespace_, d.route->name);
  o.rule = d.rule;
  if (d.rule_name) o.rule_name = std::string(*d.rule_name);
  o.match = d.match;
  if (d.model) o.model = std::string(*d.model);
  if (d.model_override) o.model_override = std::string(*d.model_override);
  for (const Fallback& f : d.fallbacks) {
    o.fallbacks.push_back(Full(f.backend.namespace_, f.backend.name) +
                          (f.model_override ? "#" + std::string(*f.model_override) : ""));
  }
  o.has_reason = !d.reason.empty();
  o.affinity = d.affinity;
  o.panic = d.panic;
  if (d.retry != nullptr) {
    o.retry = RetryText(std::vector<uint16_t>(d.retry->codes.begin(), d.retry->codes.end()),
                        d.retry->attempts, d.retry->backoff_ms);
  }
  return o;
}

std::string Describe(const Outcome& o) {
  auto opt = [](const auto& v) -> std::string {
    if (!v.has_value()) return "null";
    std::ostringstream s;
    s << '"' << *v << '"';
    return s.str();
  };
  std::ostringstream out;
  out << "{status: " << StatusName(o.status) << ", http: " << o.http_status
      << ", via: " << (o.via == Via::kNone ? "null" : std::string(ViaName(o.via)))
      << ", backend: " << opt(o.backend) << ", route: " << opt(o.route)
      << ", rule: " << (o.rule ? std::to_string(*o.rule) : "null")
      << ", rule_name: " << opt(o.rule_name)
      << ", match: " << (o.match ? std::to_string(*o.match) : "null")
      << ", model: " << opt(o.model) << ", model_override: " << opt(o.model_override)
      << ", fallbacks: [";
  for (std::size_t i = 0; i < o.fallbacks.size(); ++i) out << (i ? ", " : "") << o.fallbacks[i];
  out << "], reason: " << (o.has_reason ? "yes" : "none") << ", retry: " << opt(o.retry)
      << ", affinity: " << (o.affinity ? "true" : "false") << ", panic: " << (o.panic ? "true" : "false") << "}";
  return out.str();
}

ReferenceResolver::ReferenceResolver(const Config& config, const CompileOptions& options)
    : config_(config), options_(options) {
  const std::vector<Route>& routes = config_.routes;

  // Route order: oldest creationTimestamp first (absent = oldest), then "namespace/name".
  for (std::size_t i = 0; i < routes.size(); ++i) route_order_.push_back(i);
  auto order_key = [&](std::size_t i) {
    const Route& r = routes[i];
    return std::make_tuple(r.creation_seconds.has_value(), r.creation_seconds.value_or(0),
                           r.creation_seconds.has_value() ? r.creation_nanos : 0,
                           Full(r.namespace_, r.name.value));
  };
  std::sort(route_order_.begin(), route_order_.end(),
            [&](std::size_t a, std::size_t b) { return order_key(a) < order_key(b); });
  route_rank_.resize(routes.size());
  for (std::size_t k = 0; k < route_order_.size(); ++k) route_rank_[route_order_[k]] = k;

  // Every backend that exists: declared, or referenced by any backendRef.
  std::set<std::pair<std::string, std::string>> known;  // (namespace, name)
  for (const Backend& b : config_.backends) known.insert({b.namespace_, b.name.value});
  for (const Route& r : routes) {
    for (const Rule& rule : r.rules) {
      for (const BackendRef& ref : rule.backend_refs) {
        known.insert({ref.namespace_ ? ref.namespace_->value : r.namespace_, ref.name.value});
      }
    }
  }

  // Each route's standard header: its own section wins as a whole; else the default.
  for (const Route& r : routes) {
    HeaderPolicy policy;
    AllowedBackends allowed = AllowedBackends::kRulesOnly;
    if (r.standard_header.has_value()) {
      policy.enabled = r.standard_header->enabled;
      policy.header_name = r.standard_header->header_name.value;
      policy.on_disallowed = r.standard_header->on_disallowed;
      allowed = r.standard_header->allowed_backends;
    } else {
      policy.enabled = options_.standard_header.enabled;
      policy.header_name = options_.standard_header.header_name;
      policy.on_disallowed = options_.standard_header.on_disallowed;
      allowed = options_.standard_header.allowed_backends;
    }
    switch (allowed) {
      case AllowedBackends::kRulesOnly:
        for (const Rule& rule : r.rules) {
          for (const BackendRef& ref : rule.backend_refs) {
            policy.allowed.insert(
                Full(ref.namespace_ ? ref.namespace_->value : r.namespace_, ref.name.value));
          }
        }
        break;
      case AllowedBackends::kSameNamespace:
        for (const auto& [ns, name] : known) {
          if (ns == r.namespace_) policy.allowed.insert(Full(ns, name));
        }
        break;
      case AllowedBackends::kExplicit:
        for (const LocatedString& entry : r.standard_header->backends) {
          const std::size_t slash = entry.value.find('/');
          policy.allowed.insert(slash == std::string::npos ? Full(r.namespace_, entry.value)
                                                           : entry.value);
        }
        break;
    }
    policies_.push_back(std::move(policy));
  }

  // Every (route, rule, match), then sorted by the precedence criteria in order.
  for (std::size_t ri = 0; ri < routes.size(); ++ri) {
    for (uint32_t k = 0; k < routes[ri].rules.size(); ++k) {
      const Rule& rule = routes[ri].rules[k];
      const uint32_t count = rule.matches.empty() ? 1 : static_cast<uint32_t>(rule.matches.size());
      for (uint32_t m = 0; m < count; ++m) candidates_.push_back({ri, k, m});
      for (const RouteMatch& match : rule.matches) {
        auto add = [&](MatchType type, const std::string& pattern) {
          if (type == MatchType::kRegularExpression && !regexes_.contains(pattern)) {
            regexes_[pattern] = std::make_unique<re2::RE2>(pattern);
          }
        };
        add(match.path.type, match.path.value.value);
        for (const ValueMatch& h : match.headers) add(h.type, h.value.value);
        for (const ValueMatch& q : match.query_params) add(q.type, q.value.value);
      }
    }
  }
  auto match_of = [&](const Candidate& c) -> const RouteMatch& {
    const Rule& rule = routes[c.route].rules[c.rule];
    return rule.matches.empty() ? ImplicitMatch() : rule.matches[c.match];
  };
  auto key = [&](const Candidate& c) {
    const MatchShape s = ShapeOf(match_of(c));
    return std::make_tuple(s.path_rank, -static_cast<int64_t>(s.path_length), !s.has_method,
                           -s.headers, -s.exact_headers, -s.queries, -s.exact_queries,
                           route_rank_[c.route],
                           Full(routes[c.route].namespace_, routes[c.route].name.value), c.rule,
                           c.match);
  };
  std::stable_sort(candidates_.begin(), candidates_.end(),
                   [&](const Candidate& a, const Candidate& b) { return key(a) < key(b); });
}

ReferenceResolver::~ReferenceResolver() = default;

bool ReferenceResolver::FullMatch(const std::string& pattern, std::string_view text) const {
  return re2::RE2::FullMatch(text, *regexes_.at(pattern));
}

bool ReferenceResolver::Allows(std::string_view route, std::string_view backend) const {
  for (std::size_t i = 0; i < config_.routes.size(); ++i) {
    const Route& r = config_.routes[i];
    if (Full(r.namespace_, r.name.value) == route) {
      return policies_[i].allowed.contains(std::string(backend));
    }
  }
  return false;
}

bool ReferenceResolver::Matches(const RouteMatch& match, const Request& request,
                                const std::optional<std::string>& body_model,
                                bool has_body) const {
  // Path: before '?', as given.
  const std::string_view target = request.path;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string& want = match.path.value.value;
  switch (match.path.type) {
    case MatchType::kExact:
      if (path != want) return false;
      break;
    case MatchType::kRegularExpression:
      if (!FullMatch(want, path)) return false;
      break;
    case MatchType::kPathPrefix: {
      std::string_view prefix = want;
      if (prefix.ends_with('/')) prefix.remove_suffix(1);  // "/foo/" is "/foo"; "/" is ""
      if (!path.starts_with(prefix)) return false;
      if (path.size() != prefix.size() && path[prefix.size()] != '/') return false;
      break;
    }
  }

  if (match.method.has_value() && request.method != match.method->value) return false;

  std::set<std::string> seen;
  for (const ValueMatch& h : match.headers) {
    const std::string name = Lower(h.name.value);
    if (!seen.insert(name).second) continue;  // a repeated name: only the first counts
    std::optional<std::string> value;
    if (name == Lower(options_.model_header) && has_body) {
      value = body_model;  // the body's model replaces whatever the client sent
    } else {
      value = JoinedHeader(request, name);
    }
    if (!value.has_value()) return false;
    if (h.type == MatchType::kExact ? *value != h.value.value : !FullMatch(h.value.value, *value)) {
      return false;
    }
  }

  seen.clear();
  for (const ValueMatch& q : match.query_params) {
    if (!seen.insert(q.name.value).second) continue;
    const std::optional<std::string> value = QueryParam(target, q.name.value);
    if (!value.has_value()) return false;
    if (q.type == MatchType::kExact ? *value != q.value.value : !FullMatch(q.value.value, *value)) {
      return false;
    }
  }
  return true;
}

ReferenceResolver::Affinity ReferenceResolver::AffinityOf(std::size_t route_index,
                                                          uint32_t rule_index) const {
  const Route& route = config_.routes[route_index];
  const Rule& rule = route.rules[rule_index];
  const std::optional<SessionAffinity>& own =
      rule.session_affinity.has_value() ? rule.session_affinity : route.session_affinity;
  Affinity a;
  if (own.has_value()) {
    if (own->header.has_value()) a.header = own->header->value;
    if (own->body_field.has_value()) a.body_field = own->body_field->value;
  } else if (!options_.affinity_header.empty()) {
    a.header = options_.affinity_header;
  } else if (!options_.affinity_body_field.empty()) {
    a.body_field = options_.affinity_body_field;
  }
  return a;
}

Outcome ReferenceResolver::Select(std::size_t route_index, uint32_t rule_index,
                                  uint32_t match_index, const Request& request) const {
  const Route& route = config_.routes[route_index];
  const Rule& rule = route.rules[rule_index];
  Outcome o;
  o.route = Full(route.namespace_, route.name.value);
  o.rule = rule_index;
  if (rule.name.has_value()) o.rule_name = rule.name->value;
  o.match = match_index;

  // Entries by identity (backend, priority, modelNameOverride): a repeated identity is
  // merged into its first occurrence, weights added. Entries of weight 0 take no part in
  // selection, so they are set aside first: [b0 weight 0, b1, b0 weight 2] orders b1
  // before b0.
  struct Entry {
    std::string ns, name;
    std::string backend;  // "namespace/name"
    int64_t priority;
    std::optional<std::string> model_override;
    uint64_t weight;
    bool down = false;
    double score = 0;
  };
  std::vector<Entry> entries;
  for (const BackendRef& ref : rule.backend_refs) {
    if (ref.weight == 0) continue;
    const std::string ns = ref.namespace_ ? ref.namespace_->value : route.namespace_;
    Entry e{ns, ref.name.value, Full(ns, ref.name.value), ref.priority, ref.model_name_override,
            static_cast<uint64_t>(ref.weight)};
    auto same = std::find_if(entries.begin(), entries.end(), [&](const Entry& x) {
      return x.backend == e.backend && x.priority == e.priority &&
             x.model_override == e.model_override;
    });
    if (same != entries.end()) {
      same->weight += e.weight;
    } else {
      entries.push_back(e);
    }
  }
  if (entries.empty()) {  // no positive weight at all
    o.status = DecisionStatus::kNoBackend;
    o.http_status = 500;
    o.has_reason = true;
    return o;
  }

  // Health: a down backend counts as weight 0. When every entry is down, the view is
  // ignored for this decision, which says panic.
  if (request.health != nullptr) {
    bool all_down = true;
    for (Entry& e : entries) {
      e.down = request.health->State(e.ns, e.name).down;
      all_down = all_down && e.down;
    }
    if (all_down) {
      o.panic = true;
      for (Entry& e : entries) e.down = false;
    }
  }
  std::vector<const Entry*> eligible;
  for (const Entry& e : entries) {
    if (!e.down) eligible.push_back(&e);
  }

  // A fallback as compared: "namespace/name", plus "#override" when it has one.
  auto Named = [](const Entry& e) {
    return e.model_override ? e.backend + "#" + *e.model_override : e.backend;
  };

  // The session affinity key: the header's value (repeats joined by ","), or the body
  // field's unescaped string; absent or empty means none.
  const Affinity affinity = AffinityOf(route_index, rule_index);
  std::optional<std::string> key;
  if (affinity.header.has_value()) {
    key = JoinedHeader(request, *affinity.header);
  } else if (affinity.body_field.has_value() && request.body.has_value()) {
    key = TopLevelStringField(*request.body, *affinity.body_field);
  }
  if (key.has_value() && key->empty()) key.reset();

  // The tier: the lowest priority with an eligible entry; later tiers in ascending order.
  std::set<int64_t> tiers;
  for (const Entry* e : eligible) tiers.insert(e->priority);
  const int64_t tier = *tiers.begin();
  auto members_of = [&](int64_t priority) {
    std::vector<const Entry*> members;
    for (const Entry* e : eligible) {
      if (e->priority == priority) members.push_back(e);
    }
    return members;
  };
  std::vector<const Entry*> members = members_of(tier);

  o.status = DecisionStatus::kRouted;
  o.http_status = 200;
  o.via = Via::kRule;
  // A routed decision carries its rule's retry policy, as written (defaults: no codes, one
  // attempt, no backoff); no_backend carries none.
  if (rule.retry.has_value()) {
    o.retry = RetryText(rule.retry->codes, rule.retry->attempts, rule.retry->backoff_ms);
  }

  if (key.has_value()) {
    // Weighted rendezvous: every tier ranked by descending score, ties to the earlier
    // entry; the first of the chosen tier wins, the rest follow, then each later tier.
    const uint64_t k = Fnv1a64(*key);
    for (Entry& e : entries) e.score = Score(k, Named(e), e.weight);
    auto ranked = [](std::vector<const Entry*> v) {
      std::stable_sort(v.begin(), v.end(),
                       [](const Entry* a, const Entry* b) { return a->score > b->score; });
      return v;
    };
    members = ranked(members);
    o.affinity = true;
    o.backend = members[0]->backend;
    o.model_override = members[0]->model_override;
    for (std::size_t i = 1; i < members.size(); ++i) o.fallbacks.push_back(Named(*members[i]));
    for (int64_t priority : tiers) {
      if (priority == tier) continue;
      for (const Entry* e : ranked(members_of(priority))) o.fallbacks.push_back(Named(*e));
    }
    return o;
  }

  uint64_t total = 0;
  for (const Entry* e : members) total += e->weight;
  const uint64_t z = Mix(request.entropy.value_or(0));
  const uint64_t r = static_cast<uint64_t>((static_cast<unsigned __int128>(z) * total) >> 64);
  std::size_t chosen = 0;
  uint64_t running = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    running += members[i]->weight;
    if (running > r) {
      chosen = i;
      break;
    }
  }
  o.backend = members[chosen]->backend;
  o.model_override = members[chosen]->model_override;
  for (std::size_t k = 1; k < members.size(); ++k) {
    o.fallbacks.push_back(Named(*members[(chosen + k) % members.size()]));
  }
  for (int64_t priority : tiers) {
    if (priority == tier) continue;
    for (const Entry* e : members_of(priority)) o.fallbacks.push_back(Named(*e));
  }
  return o;
}

Outcome ReferenceResolver::Resolve(const Request& request) const {
  // The body's model replaces the model header; a bad body is a bad request.
  const bool has_body = request.body.has_value();
  std::optional<std::string> body_model;
  if (has_body) {
    const internal::BodyModel read = internal::ExtractModel(*request.body, 0);
    if (read.status == internal::BodyModel::Status::kBadBody) {
      Outcome o;
      o.status = DecisionStatus::kBadRequest;
      o.http_status = 400;
      o.has_reason = true;
      return o;
    }
    if (read.status == internal::BodyModel::Status::kModel) body_model = std::string(read.model);
  }
  const std::optional<std::string> model =
      has_body ? body_model : JoinedHeader(request, options_.model_header);
  auto finish = [&](Outcome o) {
    o.model = model;
    return o;
  };

  // The routes that apply to the host.
  std::string host = Lower(internal::StripPort(request.host));
  if (host.ends_with('.')) host.pop_back();
  int best = 0;
  for (const Route& r : config_.routes) best = std::max(best, HostSpecificity(r, host));
  std::vector<bool> applies(config_.routes.size());
  for (std::size_t i = 0; i < config_.routes.size(); ++i) {
    applies[i] = HostSpecificity(config_.routes[i], host) == best;
  }

  // The standard header, route by route in route order.
  std::optional<std::size_t> first_rejecting;
  for (std::size_t i : route_order_) {
    const HeaderPolicy& policy = policies_[i];
    if (!applies[i] || !policy.enabled) continue;
    const std::optional<std::string> joined = JoinedHeader(request, policy.header_name);
    if (!joined.has_value()) continue;
    std::set<std::string> values;
    std::string_view rest = *joined;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = Trim(rest.substr(0, comma));
      if (!item.empty()) values.insert(std::string(item));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (values.empty()) continue;  // empty or all whitespace: passed over
    if (values.size() > 1) {
      Outcome o;
      o.status = DecisionStatus::kBadRequest;
      o.http_status = 400;
      o.has_reason = true;
      return finish(o);
    }
    const std::string& value = *values.begin();
    const Route& route = config_.routes[i];
    const std::string backend =
        value.find('/') == std::string::npos ? Full(route.namespace_, value) : value;
    if (policy.allowed.contains(backend)) {
      Outcome o;
      o.status = DecisionStatus::kRouted;
      o.http_status = 200;
      o.via = Via::kStandardHeader;
      o.backend = backend;
      o.route = Full(route.namespace_, route.name.value);
      return finish(o);
    }
    if (policy.on_disallowed == OnDisallowed::kReject && !first_rejecting.has_value()) {
      first_rejecting = i;
    }
  }
  if (first_rejecting.has_value()) {
    const Route& route = config_.routes[*first_rejecting];
    Outcome o;
    o.status = DecisionStatus::kBackendNotAllowed;
    o.http_status = 400;
    o.via = Via::kStandardHeader;
    o.route = Full(route.namespace_, route.name.value);
    o.has_reason = true;
    return finish(o);
  }

  // The rules: the first (route, rule, match) in precedence order that matches.
  for (const Candidate& c : candidates_) {
    if (!applies[c.route]) continue;
    const Rule& rule = config_.routes[c.route].rules[c.rule];
    const RouteMatch& match = rule.matches.empty() ? ImplicitMatch() : rule.matches[c.match];
    if (Matches(match, request, body_model, has_body)) return finish(Select(c.route, c.rule, c.match, request));
  }
  Outcome o;
  o.status = DecisionStatus::kNoRoute;
  o.http_status = 404;
  o.has_reason = true;
  return finish(o);
}

}  // namespace llmroute::reference
