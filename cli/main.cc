// `llmroute`: check a routing configuration, resolve requests against it, list its models
// and the request headers it owns.
//
// This file reads the command line into a CommandLine (commands.h) and hands it to the
// subcommand; anything wrong with the command line is a usage error (exit 2).
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend_names.h"
#include "commands.h"
#include "llmroute/config.h"
#include "llmroute/names.h"
#include "llmroute/table.h"
#include "text/http_text.h"
#include "text/views.h"

namespace llmroute::cli {
namespace {

constexpr std::string_view kSynopsis =
    "Usage:\n"
    "  llmroute check FILE... [COMPILE OPTIONS]\n"
    "  llmroute resolve FILE... [COMPILE OPTIONS] [REQUEST FLAGS]\n"
    "  llmroute resolve FILE... [COMPILE OPTIONS] --requests FILE|-\n"
    "  llmroute models FILE... [COMPILE OPTIONS] [--host H]\n"
    "  llmroute headers FILE... [COMPILE OPTIONS]\n"
    "  llmroute explain FILE... [COMPILE OPTIONS] [REQUEST FLAGS]\n"
    "  llmroute next FILE... [COMPILE OPTIONS] [REQUEST FLAGS] --attempt N --status S\n";

constexpr std::string_view kDetails =
    "\n"
    "FILE: YAML or JSON documents (LLMRoute, AIGatewayRoute, HTTPRoute, LLMBackend,\n"
    "AIServiceBackend). All FILEs together form one configuration.\n"
    "\n"
    "Commands:\n"
    "  check     Compile the configuration. Prints each warning and the error as\n"
    "            'file:line:col: warning|error: ...' on standard output, nothing else.\n"
    "  resolve   Print the decision for one request as one JSON line:\n"
    "              {\"status\": \"routed\", \"http_status\": 200, \"via\": \"rule\",\n"
    "               \"backend\": {\"namespace\": \"ns\", \"name\": \"b\"},\n"
    "               \"route\": {\"namespace\": \"ns\", \"name\": \"r\"}, \"rule\": 0,\n"
    "               \"rule_name\": null, \"match\": 0, \"model\": \"gpt-4o\",\n"
    "               \"model_override\": null, \"fallbacks\": [], \"reason\": null,\n"
    "               \"affinity\": false, \"panic\": false, \"retry\": null}\n"
    "            With --requests, read JSON Lines (one request object per line:\n"
    "            method, host, path, headers, body, entropy, down, all optional) and print\n"
    "            one decision line for every input line; a malformed line gets a\n"
    "            bad_request decision and the batch goes on.\n"
    "  models    Print the models of x-ai-eg-model Exact matches as OpenAI's\n"
    "            /v1/models answers, one JSON line:\n"
    "              {\"object\": \"list\", \"data\": [{\"id\": \"gpt-4o\", \"object\": \"model\",\n"
    "               \"created\": 1714000000, \"owned_by\": \"Envoy AI Gateway\"}]}\n"
    "            With --host, only the models of the routes that apply to that host.\n"
    "  headers   Print the request headers the gateway owns, one lower-cased name a\n"
    "            line: the model header and every enabled standard routing header.\n"
    "            A proxy removes them from the client's request before routing it.\n"
    "  explain   For a person: the routes for the host, the standard header's verdict,\n"
    "            each candidate match in precedence order with each condition met or\n"
    "            not (and the value seen), the final decision and its retry policy.\n"
    "  next      Try a retry policy: print the decision for one request and the\n"
    "            backend to try after --attempt N tries (N >= 1), the last ending with\n"
    "            --status S (its HTTP status, 100-599, or 0 for a connection failure or\n"
    "            timeout), as one JSON line:\n"
    "              {\"decision\": {...as resolve prints it...},\n"
    "               \"next\": {\"backend\": {\"namespace\": \"ns\", \"name\": \"b2\"},\n"
    "                        \"model_override\": null}}\n"
    "            \"next\" is null when the request is not to be retried.\n"
    "\n"
    "Compile options:\n"
    "  --standard-header[=NAME]   Enable the standard routing header (NAME defaults to\n"
    "                             x-ai-gateway-backend) for routes that have no\n"
    "                             standardRoutingHeader section of their own.\n"
    "  --allowed-backends POLICY  RulesOnly (default) or SameNamespace.\n"
    "  --on-disallowed ACTION     Reject (default) or UseRules.\n"
    "                             These two act only with --standard-header.\n"
    "  --model-header NAME        The header that carries the model (default\n"
    "                             x-ai-eg-model).\n"
    "  --max-body-size BYTES      resolve, explain: a longer body is a bad_request\n"
    "                             (default 67108864, 64 MiB; 1 to 4294967295).\n"
    "  --affinity-header NAME     Session affinity on this request header for routes\n"
    "                             and rules without a sessionAffinity of their own.\n"
    "  --affinity-body-field NAME The same on a top-level string field of the body.\n"
    "\n"
    "Request flags (resolve, explain, next):\n"
    "  --method M                 Default GET.\n"
    "  --host H\n"
    "  --path P                   Path and query string. Default /.\n"
    "  --header 'Name: value'     Repeatable; repeated names are kept in order.\n"
    "  --body FILE|-              The request body (a JSON object); - is standard input.\n"
    "  --entropy N                Integer in [0, 2^64) that fixes the weighted choice;\n"
    "                             without it the choice is random.\n"
    "  --down NS/NAME             Repeatable: treat the backend as down (a health view\n"
    "                             for the whole run; request lines may add \"down\").\n"
    "  --requests FILE|-          resolve only: JSON Lines of requests instead of the\n"
    "                             flags above.\n"
    "\n"
    "Options take their value as '--option VALUE' or '--option=VALUE'.\n"
    "\n"
    "Exit status: 0 success (resolve: whatever the decisions say), 1 configuration\n"
    "error, 2 usage error (including a --body or --requests input that cannot be read).\n";

constexpr std::string_view kDefaultStandardHeader = "x-ai-gateway-backend";

enum class OptionId {
  kStandardHeader,
  kAllowedBackends,
  kOnDisallowed,
  kModelHeader,
  kMaxBodySize,
  kHeader,
  kMethod,
  kHost,
  kPath,
  kBody,
  kEntropy,
  kDown,
  kAffinityHeader,
  kAffinityBodyField,
  kRequests,
  kAttempt,
  kStatus,
  kHelp,
};

// Which commands take an option.
enum class OptionScope {
  kEveryCommand,
  kRequest,  // resolve, explain and next: they describe one request
  kBatch,    // resolve only
  kHost,     // resolve, explain, next and models (the models a client of that host sees)
  kNext,     // next only
};

struct OptionSpec {
  std::string_view name;
  OptionId id;
  bool takes_value;  // `--name VALUE` or `--name=VALUE`
  OptionScope scope;
};

constexpr OptionSpec kOptions[] = {
    // Takes a value only as `--standard-header=NAME`, so that a FILE may follow it.
    {"--standard-header", OptionId::kStandardHeader, false, OptionScope::kEveryCommand},
    {"--allowed-backends", OptionId::kAllowedBackends, true, OptionScope::kEveryCommand},
    {"--on-disallowed", OptionId::kOnDisallowed, true, OptionScope::kEveryCommand},
    {"--model-header", OptionId::kModelHeader, true, OptionScope::kEveryCommand},
    {"--max-body-size", OptionId::kMaxBodySize, true, OptionScope::kRequest},
    {"--header", OptionId::kHeader, true, OptionScope::kRequest},
    {"--method", OptionId::kMethod, true, OptionScope::kRequest},
    {"--host", OptionId::kHost, true, OptionScope::kHost},
    {"--path", OptionId::kPath, true, OptionScope::kRequest},
    {"--body", OptionId::kBody, true, OptionScope::kRequest},
    {"--entropy", OptionId::kEntropy, true, OptionScope::kRequest},
    {"--down", OptionId::kDown, true, OptionScope::kRequest},
    {"--affinity-header", OptionId::kAffinityHeader, true, OptionScope::kEveryCommand},
    {"--affinity-body-field", OptionId::kAffinityBodyField, true, OptionScope::kEveryCommand},
    {"--requests", OptionId::kRequests, true, OptionScope::kBatch},
    {"--attempt", OptionId::kAttempt, true, OptionScope::kNext},
    {"--status", OptionId::kStatus, true, OptionScope::kNext},
    {"--help", OptionId::kHelp, false, OptionScope::kEveryCommand},
    {"-h", OptionId::kHelp, false, OptionScope::kEveryCommand},
};

const OptionSpec* FindOption(std::string_view name) {
  for (const OptionSpec& option : kOptions) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

bool CommandTakes(std::string_view command, OptionScope scope) {
  switch (scope) {
    case OptionScope::kEveryCommand:
      return true;
    case OptionScope::kRequest:
      return command == "resolve" || command == "explain" || command == "next";
    case OptionScope::kBatch:
      return command == "resolve";
    case OptionScope::kHost:
      return command == "resolve" || command == "explain" || command == "next" ||
             command == "models";
    case OptionScope::kNext:
      return command == "next";
  }
  return false;
}

// Decimal digits only (no sign, no spaces), at most 2^64 - 1.
std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

struct ParseOutcome {
  CommandLine command_line;
  bool help = false;
  std::string usage_error;         // non-empty: the command line is wrong
  std::vector<std::string> notes;  // harmless oddities, printed on standard error
};

// Applies one option and its value (if it takes one) to `outcome`; returns false after
// recording a usage error.
bool ApplyOption(const OptionSpec& option, std::optional<std::string_view> value,
                 ParseOutcome& outcome, bool& allowed_backends_given, bool& on_disallowed_given) {
  CommandLine& command_line = outcome.command_line;
  CompileOptions::StandardHeaderDefault& standard_header =
      command_line.compile_options.standard_header;
  const auto fail = [&](auto&&... message) {
    outcome.usage_error = absl::StrCat(message...);
    return false;
  };
  switch (option.id) {
    case OptionId::kHelp:
      outcome.help = true;
      return true;
    case OptionId::kStandardHeader:
      standard_header.enabled = true;
      if (value.has_value()) {
        if (!internal::IsToken(*value)) {
          return fail("--standard-header=NAME: '", AsAbsl(*value), "' is not a valid header name");
        }
        standard_header.header_name = std::string(*value);
      }
      return true;
    case OptionId::kAllowedBackends:
      allowed_backends_given = true;
      if (const std::optional<AllowedBackends> policy = AllowedBackendsFromName(*value); !policy) {
        return fail("--allowed-backends: '", AsAbsl(*value), "' is not RulesOnly or SameNamespace");
      } else if (*policy == AllowedBackends::kExplicit) {
        return fail(
            "--allowed-backends: Explicit needs a list of backends; write it in the "
            "route's standardRoutingHeader section");
      } else {
        standard_header.allowed_backends = *policy;
      }
      return true;
    case OptionId::kOnDisallowed:
      on_disallowed_given = true;
      if (const std::optional<OnDisallowed> action = OnDisallowedFromName(*value)) {
        standard_header.on_disallowed = *action;
      } else {
        return fail("--on-disallowed: '", AsAbsl(*value), "' is not Reject or UseRules");
      }
      return true;
    case OptionId::kModelHeader:
      if (!internal::IsToken(*value)) {
        return fail("--model-header: '", AsAbsl(*value), "' is not a valid header name");
      }
      command_line.compile_options.model_header = std::string(*value);
      return true;
    case OptionId::kMaxBodySize: {
      const std::optional<uint64_t> bytes = ParseDecimal(*value);
      if (!bytes.has_value() || *bytes == 0 || *bytes > kMaxBodySizeLimit) {
        return fail("--max-body-size: '", AsAbsl(*value), "' is not an integer in [1, ",
                    kMaxBodySizeLimit, "]");
      }
      command_line.compile_options.max_body_size = static_cast<std::size_t>(*bytes);
      return true;
    }
    case OptionId::kHeader: {
      const std::size_t colon = value->find(':');
      if (colon == std::string_view::npos) {
        return fail("--header: '", AsAbsl(*value), "' is not 'Name: value'");
      }
      const std::string_view name = internal::TrimOptionalWhitespace(value->substr(0, colon));
      if (!internal::IsToken(name)) {
        return fail("--header: '", AsAbsl(*value), "' does not start with a valid header name");
      }
      command_line.headers.push_back(HeaderArgument{
          std::string(name), std::string(internal::TrimOptionalWhitespace(value->substr(colon + 1)))});
      return true;
    }
    case OptionId::kMethod:
      if (value->empty()) return fail("--method: the method is empty");
      command_line.method = std::string(*value);
      return true;
    case OptionId::kHost:
      command_line.host = std::string(*value);
      return true;
    case OptionId::kPath:
      command_line.path = std::string(*value);
      return true;
    case OptionId::kBody:
      if (value->empty()) return fail("--body: the file name is empty");
      command_line.body_file = std::string(*value);
      return true;
    case OptionId::kEntropy:
      command_line.entropy = ParseDecimal(*value);
      if (!command_line.entropy.has_value()) {
        return fail("--entropy: '", AsAbsl(*value), "' is not an integer in [0, 2^64)");
      }
      return true;
    case OptionId::kAttempt: {
      const std::optional<uint64_t> attempt = ParseDecimal(*value);
      if (!attempt.has_value() || *attempt == 0 || *attempt > UINT32_MAX) {
        return fail("--attempt: '", AsAbsl(*value), "' is not an integer in [1, 4294967295]");
      }
      command_line.attempt = static_cast<uint32_t>(*attempt);
      return true;
    }
    case OptionId::kStatus: {
      const std::optional<uint64_t> status = ParseDecimal(*value);
      if (!status.has_value() || (*status != 0 && (*status < 100 || *status > 599))) {
        return fail("--status: '", AsAbsl(*value),
                    "' is not an HTTP status (100-599) or 0 (connection failure or timeout)");
      }
      command_line.status = static_cast<int>(*status);
      return true;
    }
    case OptionId::kDown:
      if (!IsNamespacedName(*value)) {
        return fail("--down: '", AsAbsl(*value), "' is not NAMESPACE/NAME");
      }
      command_line.down.push_back(std::string(*value));
      return true;
    case OptionId::kAffinityHeader:
      if (!internal::IsToken(*value)) {
        return fail("--affinity-header: '", AsAbsl(*value), "' is not a valid header name");
      }
      if (!command_line.compile_options.affinity_body_field.empty()) {
        return fail("--affinity-header and --affinity-body-field exclude each other");
      }
      command_line.compile_options.affinity_header = std::string(*value);
      return true;
    case OptionId::kAffinityBodyField:
      if (!internal::IsToken(*value) || value->size() > kMaxAffinityBodyFieldBytes) {
        return fail("--affinity-body-field: '", AsAbsl(*value), "' is not a token of at most ",
                    kMaxAffinityBodyFieldBytes, " bytes");
      }
      if (!command_line.compile_options.affinity_header.empty()) {
        return fail("--affinity-header and --affinity-body-field exclude each other");
      }
      command_line.compile_options.affinity_body_field = std::string(*value);
      return true;
    case OptionId::kRequests:
      if (value->empty()) return fail("--requests: the file name is empty");
      command_line.requests_file = std::string(*value);
      return true;
  }
  return fail("internal error: unhandled option ", AsAbsl(option.name));
}

ParseOutcome ParseCommandLine(const std::vector<std::string_view>& args) {
  ParseOutcome outcome;
  if (args.empty()) {
    outcome.usage_error = "missing command";
    return outcome;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    outcome.help = true;
    return outcome;
  }
  const std::string_view command = args[0];
  if (command != "check" && command != "resolve" && command != "models" && command != "headers" &&
      command != "explain" && command != "next") {
    outcome.usage_error = absl::StrCat("unknown command '", AsAbsl(command), "'");
    return outcome;
  }
  CommandLine& command_line = outcome.command_line;
  command_line.command = std::string(command);

  bool allowed_backends_given = false;
  bool on_disallowed_given = false;
  bool only_files_from_here = false;  // after "--"
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (only_files_from_here || arg == "-" || !arg.starts_with("-")) {
      command_line.files.push_back(std::string(arg));
      continue;
    }
    if (arg == "--") {
      only_files_from_here = true;
      continue;
    }
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    const OptionSpec* option = FindOption(name);
    if (option == nullptr) {
      outcome.usage_error = absl::StrCat("unknown option '", AsAbsl(name), "'");
      return outcome;
    }
    if (!CommandTakes(command, option->scope)) {
      outcome.usage_error =
          absl::StrCat("option ", AsAbsl(name), " does not apply to ", AsAbsl(command));
      return outcome;
    }
    std::optional<std::string_view> value;
    if (equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
      if (!option->takes_value && option->id != OptionId::kStandardHeader) {
        outcome.usage_error = absl::StrCat("option ", AsAbsl(name), " takes no value");
        return outcome;
      }
    } else if (option->takes_value) {
      if (i + 1 >= args.size()) {
        outcome.usage_error = absl::StrCat("option ", AsAbsl(name), " needs a value");
        return outcome;
      }
      value = args[++i];
    }
    if (!ApplyOption(*option, value, outcome, allowed_backends_given, on_disallowed_given)) {
      return outcome;
    }
  }
  if (outcome.help) return outcome;

  if (command_line.files.empty()) {
    outcome.usage_error = absl::StrCat(AsAbsl(command), ": missing FILE");
    return outcome;
  }
  if (command == "next" && !command_line.attempt.has_value()) {
    outcome.usage_error = "next: missing --attempt N";
    return outcome;
  }
  if (command == "next" && !command_line.status.has_value()) {
    outcome.usage_error = "next: missing --status S";
    return outcome;
  }
  if (command_line.requests_file.has_value() &&
      (!command_line.headers.empty() || command_line.method || command_line.host ||
       command_line.path || command_line.body_file || command_line.entropy)) {
    // Each request line carries its own request; flags for another one would be ignored.
    outcome.usage_error =
        "--requests does not combine with --header, --method, --host, --path, --body or "
        "--entropy (put them in the request lines)";
    return outcome;
  }
  if (!command_line.compile_options.standard_header.enabled) {
    if (allowed_backends_given) {
      outcome.notes.push_back("--allowed-backends has no effect without --standard-header");
    }
    if (on_disallowed_given) {
      outcome.notes.push_back("--on-disallowed has no effect without --standard-header");
    }
  }
  return outcome;
}

int Main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  ParseOutcome outcome = ParseCommandLine(args);
  if (!outcome.usage_error.empty()) {
    std::fputs(absl::StrCat("llmroute: ", outcome.usage_error, "\n", AsAbsl(kSynopsis),
                            "Run 'llmroute --help' for details.\n")
                   .c_str(),
               stderr);
    return kExitUsage;
  }
  if (outcome.help) {
    std::fputs(absl::StrCat(AsAbsl(kSynopsis), AsAbsl(kDetails)).c_str(), stdout);
    return kExitOk;
  }
  for (const std::string& note : outcome.notes) {
    std::fputs(absl::StrCat("llmroute: warning: ", note, "\n").c_str(), stderr);
  }
  const CommandLine& command_line = outcome.command_line;
  if (command_line.command == "check") return RunCheck(command_line);
  if (command_line.command == "resolve") return RunResolve(command_line);
  if (command_line.command == "models") return RunModels(command_line);
  if (command_line.command == "headers") return RunHeaders(command_line);
  if (command_line.command == "next") return RunNext(command_line);
  return RunExplain(command_line);
}

}  // namespace
}  // namespace llmroute::cli

int main(int argc, char** argv) { return llmroute::cli::Main(argc, argv); }
