// Load: configuration text → Config. The YAML layer (load/yaml_document.h)
// hands over one document at a time; this file knows the kinds and their fields.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "diagnostic_status.h"
#include "llmroute/config.h"
#include "llmroute/diagnostic.h"
#include "llmroute/load.h"
#include "text/views.h"
#include "enum_names.h"
#include "load/field.h"
#include "load/json_events.h"
#include "load/status_macros.h"
#include "load/yaml_document.h"
#include "load/yaml_scalar.h"

namespace llmroute {
namespace load_internal {
namespace {

// At most this many objects (documents and List items) in one file: more than any route
// table needs (Compile takes 4096 routes), few enough that a file of tiny objects cannot
// turn 64 MiB of text into gigabytes of model.
constexpr std::size_t kMaxObjectsPerFile = 1 << 16;

// Warnings kept per file; the rest are counted in one last warning.
constexpr std::size_t kMaxWarningsPerFile = 1000;

struct RouteKindInfo {
  std::string_view kind;
  RouteKind route_kind;
  std::array<std::string_view, 2> api_versions;  // "" marks an unused slot
};

constexpr std::array<RouteKindInfo, 3> kRouteKinds = {{
    {"LLMRoute", RouteKind::kLLMRoute, {"aigateway.envoyproxy.io/v1alpha1", ""}},
    {"AIGatewayRoute",
     RouteKind::kAIGatewayRoute,
     {"aigateway.envoyproxy.io/v1alpha1", "aigateway.envoyproxy.io/v1beta1"}},
    {"HTTPRoute",
     RouteKind::kHTTPRoute,
     {"gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"}},
}};

struct BackendKindInfo {
  std::string_view kind;
  BackendKind backend_kind;
};

constexpr std::array<BackendKindInfo, 2> kBackendKinds = {{
    {"LLMBackend", BackendKind::kLLMBackend},
    {"AIServiceBackend", BackendKind::kAIServiceBackend},
}};

// Backends are accepted in any version of the group: only their name is read.
constexpr std::string_view kBackendGroup = "aigateway.envoyproxy.io/";

// A Gateway API Duration, `^([0-9]{1,5}(h|m|s|ms)){1,4}$`, in milliseconds; nullopt when
// the text does not have that form.
std::optional<uint64_t> ParseGatewayDuration(std::string_view text) {
  uint64_t total = 0;
  int parts = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (++parts > 4) return std::nullopt;
    uint64_t number = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++digits > 5) return std::nullopt;
      number = number * 10 + static_cast<uint64_t>(text[i++] - '0');
    }
    if (digits == 0 || i == text.size()) return std::nullopt;
    uint64_t unit_ms = 0;
    if (text[i] == 'h') {
      unit_ms = 3'600'000;
      ++i;
    } else if (text[i] == 'm' && i + 1 < text.size() && text[i + 1] == 's') {
      unit_ms = 1;
      i += 2;
    } else if (text[i] == 'm') {
      unit_ms = 60'000;
      ++i;
    } else if (text[i] == 's') {
      unit_ms = 1'000;
      ++i;
    } else {
      return std::nullopt;
    }
    total += number * unit_ms;
  }
  if (parts == 0) return std::nullopt;
  return total;
}

bool IsDigits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

// RFC 3339 date-time: `2024-01-02T03:04:05Z`, optional fractional seconds, `Z` or a
// `+hh:mm`/`-hh:mm` offset. absl::ParseTime alone is laxer (it trims whitespace, takes
// "infinite-future" and years of any width), so the shape is checked first.
bool HasRfc3339Shape(std::string_view text) {
  if (!IsDigits(text, 0, 4) || text.size() < 20 || text[4] != '-' || !IsDigits(text, 5, 2) ||
      text[7] != '-' || !IsDigits(text, 8, 2) || (text[10] != 'T' && text[10] != 't') ||
      !IsDigits(text, 11, 2) || text[13] != ':' || !IsDigits(text, 14, 2) || text[16] != ':' ||
      !IsDigits(text, 17, 2)) {
    return false;
  }
  std::size_t pos = 19;
  if (text[pos] == '.') {
    const std::size_t first_digit = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first_digit) return false;
  }
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && IsDigits(zone, 1, 2) &&
         zone[3] == ':' && IsDigits(zone, 4, 2);
}

bool ParseRfc3339(std::string_view text, int64_t* seconds, int32_t* nanos) {
  if (!HasRfc3339Shape(text)) return false;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, AsAbsl(text), &time, &error)) return false;
  *seconds = absl::ToUnixSeconds(time);  // rounds down, so the nanoseconds are >= 0
  *nanos = static_cast<int32_t>((time - absl::FromUnixSeconds(*seconds)) / absl::Nanoseconds(1));
  return true;
}

// List items of a document's root mapping, read before the document's kind is known.
struct ListItems {
  Config config;
  absl::Status error;
};

// Turns documents into a Config; one per file.
class ConfigReader final : public YamlDocumentHandler {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  absl::Status OnListItem(const YamlValue& item, bool in_root_list) override {
    if (in_root_list) return LoadObject(item, config_, nullptr);
    // An item of a root mapping's `items`: kept aside (with the first error) until
    // OnDocument learns whether the mapping is a List.
    if (list_items_.error.ok()) list_items_.error = LoadObject(item, list_items_.config, nullptr);
    return absl::OkStatus();
  }

  absl::Status OnDocument(const YamlValue& root) override {
    ListItems items = std::exchange(list_items_, ListItems());
    if (root.is_null()) return absl::OkStatus();  // an empty document
    // A root list (a JSON array of objects) had its items handed over one by one.
    if (root.kind() == ValueKind::kList) return absl::OkStatus();
    return LoadObject(root, config_, &items);
  }

  Config TakeConfig() && {
    if (suppressed_warnings_ > 0) {
      Origin where;
      where.file = file_;
      config_.warnings.push_back(Diagnostic{
          Severity::kWarning, std::move(where),
          absl::StrCat(suppressed_warnings_, " more warnings like the ones above not shown")});
    }
    return std::move(config_);
  }

 private:
  void Warn(Config& into, Origin where, std::string message) {
    if (warnings_ >= kMaxWarningsPerFile) {
      ++suppressed_warnings_;
      return;
    }
    ++warnings_;
    into.warnings.push_back(Diagnostic{Severity::kWarning, std::move(where), std::move(message)});
  }

  // One Kubernetes object. `streamed` holds the items of its `items` list when they were
  // read ahead (see OnListItem).
  absl::Status LoadObject(const YamlValue& value, Config& into, ListItems* streamed) {
    const Field doc = Field::Root(&file_, value);
    if (value.kind() != ValueKind::kMapping) {
      return doc.Error(absl::StrCat("a document must be a mapping (a Kubernetes object), got ",
                                    AsAbsl(ValueKindName(value.kind()))));
    }
    LOAD_ASSIGN_OR_RETURN(const Field kind_field, doc.Get("kind"));
    LOAD_ASSIGN_OR_RETURN(const LocatedString kind, kind_field.NonEmptyString());
    LOAD_ASSIGN_OR_RETURN(const Field api_field, doc.Get("apiVersion"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> api_version, api_field.String());
    const std::string_view api =
        api_version.has_value() ? std::string_view(api_version->value) : std::string_view();

    if (kind.value == "List") return LoadList(doc, value, into, streamed);
    if (++objects_ > kMaxObjectsPerFile) {
      return doc.Error(absl::StrCat("more than ", kMaxObjectsPerFile, " objects in one file"));
    }
    for (const RouteKindInfo& info : kRouteKinds) {
      if (kind.value != info.kind) continue;
      if (api.empty() || std::find(info.api_versions.begin(), info.api_versions.end(), api) ==
                             info.api_versions.end()) {
        std::vector<absl::string_view> expected;
        for (std::string_view version : info.api_versions) {
          if (!version.empty()) expected.push_back(AsAbsl(version));
        }
        Warn(into, kind.origin,
             absl::StrCat("skipped ", AsAbsl(info.kind), ": apiVersion ",
                          api_version.has_value() ? absl::StrCat("\"", AsAbsl(api), "\"")
                                                  : std::string("missing"),
                          " is not supported (expected ", absl::StrJoin(expected, " or "), ")"));
        return absl::OkStatus();
      }
      return LoadRoute(info.route_kind, doc, into);
    }
    for (const BackendKindInfo& info : kBackendKinds) {
      if (kind.value != info.kind) continue;
      if (api.size() <= kBackendGroup.size() ||
          api.substr(0, kBackendGroup.size()) != kBackendGroup) {
        Warn(into, kind.origin,
             absl::StrCat("skipped ", AsAbsl(info.kind), ": apiVersion ",
                          api_version.has_value() ? absl::StrCat("\"", AsAbsl(api), "\"")
                                                  : std::string("missing"),
                          " is not supported (expected ", AsAbsl(kBackendGroup), "*)"));
        return absl::OkStatus();
      }
      return LoadBackend(info.backend_kind, doc, into);
    }
    Warn(into, kind.origin,
         absl::StrCat("skipped document of unknown kind \"", AsAbsl(kind.value), "\""));
    return absl::OkStatus();
  }

  // A Kubernetes List: each item is an object of its own, with paths relative to it.
  absl::Status LoadList(const Field& doc, const YamlValue& value, Config& into,
                        ListItems* streamed) {
    LOAD_ASSIGN_OR_RETURN(const Field items_field, doc.Get("items"));
    if (items_field.present() && items_field.kind() != ValueKind::kList) {
      return items_field.Items().status();  // the type error
    }
    if (streamed != nullptr) {
      LOAD_RETURN_IF_ERROR(streamed->error);
      MergeConfig(into, std::move(streamed->config));
    }
    // Items still in the tree: those of a List nested in a root list.
    const std::optional<YamlValue> items = value.Find("items");
    if (!items.has_value() || items->kind() != ValueKind::kList) return absl::OkStatus();
    for (std::size_t i = 0; i < items->size(); ++i) {
      LOAD_RETURN_IF_ERROR(LoadObject(items->item(i), into, nullptr));
    }
    return absl::OkStatus();
  }

  // metadata.name (required) and metadata.namespace (empty or absent: "default").
  static absl::Status ReadName(const Field& metadata, LocatedString& name,
                               std::string& namespace_) {
    LOAD_ASSIGN_OR_RETURN(const Field name_field, metadata.Get("name"));
    LOAD_ASSIGN_OR_RETURN(name, name_field.NonEmptyString());
    LOAD_ASSIGN_OR_RETURN(const Field namespace_field, metadata.Get("namespace"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> namespace_value,
                          namespace_field.String());
    if (namespace_value.has_value() && !namespace_value->value.empty()) {
      namespace_ = namespace_value->value;
    }
    return absl::OkStatus();
  }

  // An RFC 3339 timestamp as seconds since the Unix epoch (and the nanoseconds past them,
  // when `nanos` is given); nullopt when absent.
  static absl::StatusOr<std::optional<int64_t>> ReadTimestamp(const Field& field,
                                                              int32_t* nanos = nullptr) {
    LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> text, field.String());
    if (!text.has_value()) return std::optional<int64_t>();
    int64_t seconds = 0;
    int32_t fraction = 0;
    if (!ParseRfc3339(text->value, &seconds, &fraction)) {
      return field.Error(absl::StrCat("invalid timestamp \"", AsAbsl(text->value),
                                      "\": expected RFC 3339, like 2024-01-02T03:04:05Z"));
    }
    if (nanos != nullptr) *nanos = fraction;
    return std::optional<int64_t>(seconds);
  }

  static absl::Status LoadRoute(RouteKind kind, const Field& doc, Config& into) {
    Route route;
    route.kind = kind;
    route.origin = doc.origin();
    LOAD_ASSIGN_OR_RETURN(const Field metadata, doc.Get("metadata"));
    LOAD_RETURN_IF_ERROR(ReadName(metadata, route.name, route.namespace_));
    LOAD_ASSIGN_OR_RETURN(const Field created_field, metadata.Get("creationTimestamp"));
    int32_t nanos = 0;
    LOAD_ASSIGN_OR_RETURN(route.creation_seconds, ReadTimestamp(created_field, &nanos));
    route.creation_nanos = nanos;

    LOAD_ASSIGN_OR_RETURN(const Field spec, doc.Get("spec"));
    LOAD_RETURN_IF_ERROR(spec.ExpectMapping());
    if (kind != RouteKind::kHTTPRoute) {
      // Only checked: the routing table does not depend on the input schema.
      LOAD_ASSIGN_OR_RETURN(const Field input_schema, spec.Get("inputSchema"));
      LOAD_ASSIGN_OR_RETURN(const Field schema_name, input_schema.Get("schema"));
      LOAD_RETURN_IF_ERROR(schema_name.String().status());
    }
    if (kind == RouteKind::kAIGatewayRoute) {
      // `schema: OpenAI` in early versions, `schema: {name: OpenAI}` later.
      LOAD_ASSIGN_OR_RETURN(const Field schema, spec.Get("schema"));
      if (schema.kind() == ValueKind::kMapping) {
        LOAD_ASSIGN_OR_RETURN(const Field schema_name, schema.Get("name"));
        LOAD_RETURN_IF_ERROR(schema_name.String().status());
      } else if (schema.present() && schema.kind() != ValueKind::kString) {
        return schema.Error(absl::StrCat("expected a mapping or a string, got ",
                                         AsAbsl(ValueKindName(schema.kind()))));
      }
    }
    if (kind != RouteKind::kLLMRoute) {
      LOAD_ASSIGN_OR_RETURN(const Field hostnames_field, spec.Get("hostnames"));
      LOAD_ASSIGN_OR_RETURN(const std::vector<Field> hostnames, hostnames_field.Items());
      for (const Field& hostname : hostnames) {
        LOAD_ASSIGN_OR_RETURN(LocatedString value, hostname.RequiredString());
        route.hostnames.push_back(std::move(value));
      }
    }
    LOAD_ASSIGN_OR_RETURN(const Field rules_field, spec.Get("rules"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> rules, rules_field.Items());
    for (const Field& rule_field : rules) {
      LOAD_ASSIGN_OR_RETURN(Rule rule, ReadRule(kind, rule_field));
      route.rules.push_back(std::move(rule));
    }
    LOAD_ASSIGN_OR_RETURN(const Field header_field, spec.Get("standardRoutingHeader"));
    if (header_field.present()) {
      LOAD_ASSIGN_OR_RETURN(route.standard_header, ReadStandardHeader(header_field));
    }
    LOAD_ASSIGN_OR_RETURN(const Field affinity_field, spec.Get("sessionAffinity"));
    if (affinity_field.present()) {
      LOAD_ASSIGN_OR_RETURN(route.session_affinity, ReadSessionAffinity(affinity_field));
    }
    into.routes.push_back(std::move(route));
    return absl::OkStatus();
  }

  static absl::StatusOr<Rule> ReadRule(RouteKind kind, const Field& item) {
    LOAD_RETURN_IF_ERROR(item.ExpectMapping());
    Rule rule;
    rule.origin = item.origin();
    if (kind != RouteKind::kLLMRoute) {
      LOAD_ASSIGN_OR_RETURN(const Field name, item.Get("name"));
      LOAD_ASSIGN_OR_RETURN(rule.name, name.String());
    }
    if (kind == RouteKind::kAIGatewayRoute) {
      LOAD_ASSIGN_OR_RETURN(const Field owned_by_field, item.Get("modelsOwnedBy"));
      LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> owned_by, owned_by_field.String());
      if (owned_by.has_value()) rule.models_owned_by = owned_by->value;
      LOAD_ASSIGN_OR_RETURN(const Field created_field, item.Get("modelsCreatedAt"));
      LOAD_ASSIGN_OR_RETURN(const std::optional<int64_t> created, ReadTimestamp(created_field));
      rule.models_created_seconds = created;
    }
    LOAD_ASSIGN_OR_RETURN(const Field matches_field, item.Get("matches"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> matches, matches_field.Items());
    for (const Field& match_field : matches) {
      LOAD_ASSIGN_OR_RETURN(RouteMatch match, ReadMatch(match_field));
      rule.matches.push_back(std::move(match));
    }
    LOAD_ASSIGN_OR_RETURN(const Field refs_field, item.Get("backendRefs"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> refs, refs_field.Items());
    for (const Field& ref_field : refs) {
      LOAD_ASSIGN_OR_RETURN(BackendRef ref, ReadBackendRef(kind, ref_field));
      rule.backend_refs.push_back(std::move(ref));
    }
    LOAD_ASSIGN_OR_RETURN(const Field retry_field, item.Get("retry"));
    if (retry_field.present()) {
      LOAD_ASSIGN_OR_RETURN(rule.retry, ReadRetry(retry_field));
    }
    LOAD_ASSIGN_OR_RETURN(const Field affinity_field, item.Get("sessionAffinity"));
    if (affinity_field.present()) {
      LOAD_ASSIGN_OR_RETURN(rule.session_affinity, ReadSessionAffinity(affinity_field));
    }
    return rule;
  }

  // A rule's `retry` (Gateway API HTTPRouteRetry): `codes` 400-599 without repeats,
  // `attempts` 0-16 (default 1), `backoff` a Gateway API duration (default 0s).
  static absl::StatusOr<RetryConfig> ReadRetry(const Field& section) {
    LOAD_RETURN_IF_ERROR(section.ExpectMapping());
    RetryConfig retry;
    retry.origin = section.origin();
    LOAD_ASSIGN_OR_RETURN(const Field codes_field, section.Get("codes"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> codes, codes_field.Items());
    for (const Field& code_field : codes) {
      LOAD_ASSIGN_OR_RETURN(const std::optional<int64_t> code, code_field.Integer());
      if (!code.has_value()) return code_field.Error("expected an integer, got null");
      if (*code < 400 || *code > 599) {
        return code_field.Error(absl::StrCat("retry code ", *code, " is not an HTTP status from 400 to 599"));
      }
      if (std::find(retry.codes.begin(), retry.codes.end(), *code) != retry.codes.end()) {
        return code_field.Error(absl::StrCat("retry code ", *code, " is listed twice"));
      }
      retry.codes.push_back(static_cast<uint16_t>(*code));
    }
    LOAD_ASSIGN_OR_RETURN(const Field attempts_field, section.Get("attempts"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<int64_t> attempts, attempts_field.Integer());
    if (attempts.has_value()) {
      if (*attempts < 0 || *attempts > 16) {
        return attempts_field.Error(absl::StrCat("attempts ", *attempts, " is not from 0 to 16"));
      }
      retry.attempts = static_cast<uint32_t>(*attempts);
    }
    LOAD_ASSIGN_OR_RETURN(const Field backoff_field, section.Get("backoff"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> backoff, backoff_field.String());
    if (backoff.has_value()) {
      const std::optional<uint64_t> ms = ParseGatewayDuration(backoff->value);
      if (!ms.has_value()) {
        return backoff_field.Error(
            absl::StrCat("backoff \"", AsAbsl(backoff->value),
                         "\" is not a Gateway API duration (1 to 4 of <1-5 digits><h|m|s|ms>, "
                         "such as 100ms, 1s or 1h30m)"));
      }
      retry.backoff_ms = *ms;
    }
    return retry;
  }

  // `sessionAffinity`: `{header: NAME}` or `{bodyField: NAME}`, exactly one of them.
  static absl::StatusOr<SessionAffinity> ReadSessionAffinity(const Field& section) {
    LOAD_RETURN_IF_ERROR(section.ExpectMapping());
    SessionAffinity affinity;
    affinity.origin = section.origin();
    LOAD_ASSIGN_OR_RETURN(const Field header_field, section.Get("header"));
    LOAD_ASSIGN_OR_RETURN(affinity.header, header_field.String());
    LOAD_ASSIGN_OR_RETURN(const Field body_field, section.Get("bodyField"));
    LOAD_ASSIGN_OR_RETURN(affinity.body_field, body_field.String());
    if (affinity.header.has_value() && affinity.body_field.has_value()) {
      return body_field.Error("give either header or bodyField, not both");
    }
    if (!affinity.header.has_value() && !affinity.body_field.has_value()) {
      return section.Error("needs a header or a bodyField");
    }
    return affinity;
  }

  // An HTTPRouteMatch; LLMRoute and AIGatewayRoute matches are read the same way.
  static absl::StatusOr<RouteMatch> ReadMatch(const Field& item) {
    LOAD_RETURN_IF_ERROR(item.ExpectMapping());
    RouteMatch match;
    match.origin = item.origin();
    match.path.value.origin = match.origin;
    LOAD_ASSIGN_OR_RETURN(const Field path, item.Get("path"));
    LOAD_RETURN_IF_ERROR(path.ExpectMapping());
    if (path.present()) {
      match.path.value.origin = path.origin();
      LOAD_ASSIGN_OR_RETURN(const Field type_field, path.Get("type"));
      LOAD_ASSIGN_OR_RETURN(const std::optional<MatchType> type,
                            type_field.Enum<MatchType>(internal::kMatchTypeNames));
      if (type.has_value()) match.path.type = *type;
      LOAD_ASSIGN_OR_RETURN(const Field value_field, path.Get("value"));
      LOAD_ASSIGN_OR_RETURN(std::optional<LocatedString> value, value_field.String());
      if (value.has_value()) match.path.value = std::move(*value);
    }
    LOAD_ASSIGN_OR_RETURN(const Field method, item.Get("method"));
    LOAD_ASSIGN_OR_RETURN(match.method, method.String());
    LOAD_ASSIGN_OR_RETURN(const Field headers_field, item.Get("headers"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> headers, headers_field.Items());
    for (const Field& header : headers) {
      LOAD_ASSIGN_OR_RETURN(ValueMatch value_match, ReadValueMatch(header));
      match.headers.push_back(std::move(value_match));
    }
    LOAD_ASSIGN_OR_RETURN(const Field params_field, item.Get("queryParams"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> params, params_field.Items());
    for (const Field& param : params) {
      LOAD_ASSIGN_OR_RETURN(ValueMatch value_match, ReadValueMatch(param));
      match.query_params.push_back(std::move(value_match));
    }
    return match;
  }

  // A header or query parameter match: `name` and `value` required, `type` Exact by default.
  static absl::StatusOr<ValueMatch> ReadValueMatch(const Field& item) {
    LOAD_RETURN_IF_ERROR(item.ExpectMapping());
    ValueMatch match;
    match.origin = item.origin();
    LOAD_ASSIGN_OR_RETURN(const Field type_field, item.Get("type"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<MatchType> type,
                          type_field.Enum<MatchType>({
                              {MatchTypeName(MatchType::kExact), MatchType::kExact},
                              {MatchTypeName(MatchType::kRegularExpression), MatchType::kRegularExpression},
                          }));
    if (type.has_value()) match.type = *type;
    LOAD_ASSIGN_OR_RETURN(const Field name, item.Get("name"));
    LOAD_ASSIGN_OR_RETURN(match.name, name.RequiredString());
    LOAD_ASSIGN_OR_RETURN(const Field value, item.Get("value"));
    LOAD_ASSIGN_OR_RETURN(match.value, value.RequiredString());
    return match;
  }

  static absl::StatusOr<BackendRef> ReadBackendRef(RouteKind kind, const Field& item) {
    LOAD_RETURN_IF_ERROR(item.ExpectMapping());
    BackendRef ref;
    ref.origin = item.origin();
    ref.weight_origin = ref.origin;
    ref.priority_origin = ref.origin;
    ref.kind_origin = ref.origin;
    LOAD_ASSIGN_OR_RETURN(const Field name, item.Get("name"));
    LOAD_ASSIGN_OR_RETURN(ref.name, name.NonEmptyString());
    if (kind != RouteKind::kLLMRoute) {
      LOAD_ASSIGN_OR_RETURN(const Field namespace_field, item.Get("namespace"));
      LOAD_ASSIGN_OR_RETURN(std::optional<LocatedString> namespace_value, namespace_field.String());
      if (namespace_value.has_value() && !namespace_value->value.empty()) {
        ref.namespace_ = std::move(namespace_value);
      }
    }
    LOAD_ASSIGN_OR_RETURN(const Field weight_field, item.Get("weight"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<int64_t> weight, weight_field.Integer());
    if (weight.has_value()) {
      if (*weight < 0) return weight_field.Error("weight must not be negative");
      ref.weight = *weight;
      ref.weight_origin = weight_field.origin();
    }
    if (kind == RouteKind::kAIGatewayRoute) {
      LOAD_ASSIGN_OR_RETURN(const Field priority_field, item.Get("priority"));
      LOAD_ASSIGN_OR_RETURN(const std::optional<int64_t> priority, priority_field.Integer());
      if (priority.has_value()) {
        if (*priority < 0) return priority_field.Error("priority must not be negative");
        ref.priority = *priority;
        ref.priority_origin = priority_field.origin();
      }
      LOAD_ASSIGN_OR_RETURN(const Field override_field, item.Get("modelNameOverride"));
      LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> model, override_field.String());
      if (model.has_value()) ref.model_name_override = model->value;
      LOAD_RETURN_IF_ERROR(ReadBackendRefKind(item, ref));
      LOAD_ASSIGN_OR_RETURN(const Field headers_field, item.Get("headerMutation"));
      if (headers_field.present()) {
        LOAD_ASSIGN_OR_RETURN(ref.header_mutation, ReadMutation<HeaderMutation>(
                                                       headers_field, "name", &HeaderMutation::Set::name));
      }
      LOAD_ASSIGN_OR_RETURN(const Field body_field, item.Get("bodyMutation"));
      if (body_field.present()) {
        LOAD_ASSIGN_OR_RETURN(ref.body_mutation, ReadMutation<BodyMutation>(
                                                     body_field, "path", &BodyMutation::Set::path));
      }
    }
    return ref;
  }

  // `group` and `kind` of an AIGatewayRoute backendRef: both absent (or empty) for a
  // backend, or exactly an InferencePool of inference.networking.k8s.io.
  static absl::Status ReadBackendRefKind(const Field& item, BackendRef& ref) {
    constexpr std::string_view kPoolGroup = "inference.networking.k8s.io";
    constexpr std::string_view kPoolKind = "InferencePool";
    LOAD_ASSIGN_OR_RETURN(const Field group_field, item.Get("group"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> group, group_field.String());
    LOAD_ASSIGN_OR_RETURN(const Field kind_field, item.Get("kind"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<LocatedString> kind, kind_field.String());
    const bool has_group = group.has_value() && !group->value.empty();
    const bool has_kind = kind.has_value() && !kind->value.empty();
    if (!has_group && !has_kind) return absl::OkStatus();
    if (has_group && group->value != kPoolGroup) {
      return group_field.Error(absl::StrCat(
          "unsupported group \"", AsAbsl(group->value), "\": a backendRef names a backend (no ",
          "group and kind) or an InferencePool of ", AsAbsl(kPoolGroup)));
    }
    if (has_kind && kind->value != kPoolKind) {
      return kind_field.Error(absl::StrCat(
          "unsupported kind \"", AsAbsl(kind->value), "\": a backendRef names a backend (no ",
          "group and kind) or an InferencePool of ", AsAbsl(kPoolGroup)));
    }
    if (!has_group) return kind_field.Error(absl::StrCat("kind InferencePool needs group: ", AsAbsl(kPoolGroup)));
    if (!has_kind) return group_field.Error("group needs kind: InferencePool");
    ref.kind = BackendRefKind::kInferencePool;
    ref.kind_origin = kind_field.origin();
    return absl::OkStatus();
  }

  // A mutation section, `{set: [{KEY, value}], remove: [string]}`: `headerMutation` (KEY
  // `name`, removing header names) and `bodyMutation` (KEY `path`, removing top-level
  // fields); checked by Compile.
  template <typename Mutation>
  static absl::StatusOr<Mutation> ReadMutation(const Field& section, std::string_view key,
                                               LocatedString Mutation::Set::*key_member) {
    LOAD_RETURN_IF_ERROR(section.ExpectMapping());
    Mutation mutation;
    LOAD_ASSIGN_OR_RETURN(const Field set_field, section.Get("set"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> set, set_field.Items());
    for (const Field& entry : set) {
      LOAD_RETURN_IF_ERROR(entry.ExpectMapping());
      LOAD_ASSIGN_OR_RETURN(const Field key_field, entry.Get(key));
      LOAD_ASSIGN_OR_RETURN(const Field value, entry.Get("value"));
      typename Mutation::Set item;
      LOAD_ASSIGN_OR_RETURN(item.*key_member, key_field.RequiredString());
      LOAD_ASSIGN_OR_RETURN(item.value, value.RequiredString());
      mutation.set.push_back(std::move(item));
    }
    LOAD_ASSIGN_OR_RETURN(const Field remove_field, section.Get("remove"));
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> remove, remove_field.Items());
    for (const Field& entry : remove) {
      LOAD_ASSIGN_OR_RETURN(LocatedString removed, entry.RequiredString());
      mutation.remove.push_back(std::move(removed));
    }
    return mutation;
  }

  // `spec.standardRoutingHeader`. Present, even empty, it replaces the compile
  // options for this route; `enabled` defaults to false.
  static absl::StatusOr<StandardRoutingHeader> ReadStandardHeader(const Field& section) {
    LOAD_RETURN_IF_ERROR(section.ExpectMapping());
    StandardRoutingHeader header;
    header.origin = section.origin();
    header.header_name.origin = header.origin;
    LOAD_ASSIGN_OR_RETURN(const Field enabled_field, section.Get("enabled"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<bool> enabled, enabled_field.Boolean());
    header.enabled = enabled.value_or(false);
    LOAD_ASSIGN_OR_RETURN(const Field name_field, section.Get("headerName"));
    LOAD_ASSIGN_OR_RETURN(std::optional<LocatedString> name, name_field.String());
    if (name.has_value()) header.header_name = std::move(*name);
    LOAD_ASSIGN_OR_RETURN(const Field allowed_field, section.Get("allowedBackends"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<AllowedBackends> allowed,
                          allowed_field.Enum<AllowedBackends>(internal::kAllowedBackendsNames));
    if (allowed.has_value()) header.allowed_backends = *allowed;
    LOAD_ASSIGN_OR_RETURN(const Field backends_field, section.Get("backends"));
    header.backends_given = backends_field.present();
    LOAD_ASSIGN_OR_RETURN(const std::vector<Field> backends, backends_field.Items());
    for (const Field& backend : backends) {
      LOAD_ASSIGN_OR_RETURN(LocatedString entry, backend.RequiredString());
      header.backends.push_back(std::move(entry));
    }
    LOAD_ASSIGN_OR_RETURN(const Field on_disallowed_field, section.Get("onDisallowed"));
    LOAD_ASSIGN_OR_RETURN(const std::optional<OnDisallowed> on_disallowed,
                          on_disallowed_field.Enum<OnDisallowed>(internal::kOnDisallowedNames));
    if (on_disallowed.has_value()) header.on_disallowed = *on_disallowed;
    return header;
  }

  static absl::Status LoadBackend(BackendKind kind, const Field& doc, Config& into) {
    Backend backend;
    backend.kind = kind;
    backend.origin = doc.origin();
    LOAD_ASSIGN_OR_RETURN(const Field metadata, doc.Get("metadata"));
    LOAD_RETURN_IF_ERROR(ReadName(metadata, backend.name, backend.namespace_));
    into.backends.push_back(std::move(backend));
    return absl::OkStatus();
  }

  const std::string file_;
  Config config_;
  ListItems list_items_;
  std::size_t objects_ = 0;
  std::size_t warnings_ = 0;
  std::size_t suppressed_warnings_ = 0;
};

absl::Status FileError(absl::StatusCode code, const std::string& path, std::string message) {
  Origin where;
  where.file = path;
  return internal::DiagnosticError(code, Diagnostic{Severity::kError, std::move(where), std::move(message)});
}

absl::Status CannotRead(const std::string& path, int error_number) {
  absl::StatusCode code = absl::ErrnoToStatusCode(error_number);
  if (error_number == ENOENT || error_number == ENOTDIR) code = absl::StatusCode::kNotFound;
  if (error_number == EACCES || error_number == EPERM) code = absl::StatusCode::kPermissionDenied;
  return FileError(code, path,
                   absl::StrCat("cannot read: ", std::generic_category().message(error_number)));
}

// Reads at most kMaxFileBytes of `path`, or fails.
absl::StatusOr<std::string> ReadFile(const std::string& path) {
  // The system would read the path only up to the NUL: another file than the one named.
  if (const std::size_t nul = path.find('\0'); nul != std::string::npos) {
    std::string shown;  // the NUL written as \0, so that the message is one C string
    for (char c : path) {
      if (c == '\0') {
        shown += "\\0";
      } else {
        shown += c;
      }
    }
    return FileError(absl::StatusCode::kInvalidArgument, shown,
                     absl::StrCat("file path has a NUL byte at offset ", nul));
  }
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return CannotRead(path, errno);
  std::string text;
  struct stat info;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    text.reserve(std::min<std::size_t>(static_cast<std::size_t>(info.st_size), kMaxFileBytes + 1));
  }
  char buffer[64 * 1024];
  while (text.size() <= kMaxFileBytes) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error_number = errno;
      close(fd);
      return CannotRead(path, error_number);
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  if (text.size() > kMaxFileBytes) {
    return FileError(absl::StatusCode::kInvalidArgument, path,
                     absl::StrCat("file is larger than the limit of ", kMaxFileBytes, " bytes"));
  }
  return text;
}

}  // namespace
}  // namespace load_internal

absl::StatusOr<Config> LoadConfigText(std::string_view text, std::string_view file_name) {
  std::string file(file_name);
  if (text.size() > kMaxFileBytes) {
    return load_internal::FileError(
        absl::StatusCode::kInvalidArgument, file,
        absl::StrCat("config text is larger than the limit of ", kMaxFileBytes, " bytes"));
  }
  using load_internal::ConfigReader;
  using load_internal::ParseOutcome;
  std::optional<ParseOutcome> json;
  if (load_internal::LooksLikeJson(text)) {
    ConfigReader reader(file);
    json = load_internal::ParseJsonText(text, file, kMaxDocumentBytes, reader);
    if (!json->syntax_error_pos.has_value()) {
      LOAD_RETURN_IF_ERROR(json->status);
      return std::move(reader).TakeConfig();
    }
    // Not JSON after all: YAML in flow style, or several documents. Start over as YAML.
  }
  ConfigReader reader(file);
  const ParseOutcome yaml = load_internal::ParseYamlStream(text, file, kMaxDocumentBytes, reader);
  if (yaml.status.ok()) return std::move(reader).TakeConfig();
  // Neither reading worked: the one that got further read what the author meant.
  if (json.has_value() && yaml.syntax_error_pos.has_value() &&
      *yaml.syntax_error_pos <= *json->syntax_error_pos) {
    return json->status;
  }
  return yaml.status;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  LOAD_ASSIGN_OR_RETURN(const std::string text, load_internal::ReadFile(path));
  return LoadConfigText(text, path);
}

absl::StatusOr<Config> LoadConfigFiles(std::span<const std::string> paths) {
  Config config;
  for (const std::string& path : paths) {
    LOAD_ASSIGN_OR_RETURN(Config more, LoadConfigFile(path));
    MergeConfig(config, std::move(more));
  }
  return config;
}

void MergeConfig(Config& into, Config&& more) {
  auto append = [](auto& to, auto& from) {
    if (to.empty()) {
      to = std::move(from);
    } else {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    }
    from.clear();
  };
  append(into.routes, more.routes);
  append(into.backends, more.backends);
  append(into.warnings, more.warnings);
}

}  // namespace llmroute
