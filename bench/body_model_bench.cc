// Reading the top-level "model" of chat-completion bodies.
//
// For 1 KB, 100 KB and 1 MB bodies, with "model" first and last:
//   in_place  ExtractModel on a buffer with kBodyPaddingBytes spare bytes (no copy)
//   copy      ExtractModel on an unpadded buffer (copied into the per-thread buffer)
//   dom       baseline: a full simdjson DOM parse, then doc["model"]
// plus a 1 MB body of small tokens (token ids), where checking each token costs the most.
// bytes_per_second is the body size over the time of one call. allocs_per_op counts calls
// to the global operator new per call, after one warm-up call (the steady state); buffers
// simdjson obtains with malloc directly would not show up here.
//
//   cmake --build build --target body_model_bench && build/bench/body_model_bench
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocation_counter.h"  // reports allocations per call
#include "benchmark/benchmark.h"
#include "body/model_extractor.h"
#include "llmroute/request.h"
#include "simdjson.h"


namespace {

using llmroute::internal::BodyModel;
using llmroute::internal::ExtractModel;

// Deterministic prose: words, punctuation, escaped newlines and quotes, some non-ASCII.
class TextGenerator {
 public:
  std::string Paragraphs(std::size_t bytes) {
    static constexpr std::string_view kWords[] = {
        "the",      "model",     "request",  "routing", "backend", "latency", "token",
        "context",  "answer",    "question", "explain", "summary", "function", "value",
        "données",  "naïve",     "über",     "résumé",  "日本語",   "🙂",       "JSON",
        "streaming", "completion", "gateway", "policy",  "weights", "is",      "and",
        "of",       "a",         "to",       "in",      "with",    "for",     "that"};
    std::string text;
    while (text.size() < bytes) {
      const std::uint64_t r = Next();
      text += kWords[r % std::size(kWords)];
      switch ((r >> 8) % 16) {
        case 0:
          text += ".\\n\\n";  // paragraph break, escaped as JSON does
          break;
        case 1:
          text += ", ";
          break;
        case 2:
          text += " \\\"quoted\\\" ";
          break;
        default:
          text += ' ';
      }
    }
    return text;
  }

 private:
  std::uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

// An OpenAI-style chat completion of about `target_bytes`.
std::string ChatCompletionBody(std::size_t target_bytes, bool model_first) {
  TextGenerator text;
  const std::string model_member = R"("model":"gpt-4o-2024-08-06")";
  std::string body = "{";
  if (model_first) body += model_member + ",";
  const std::string tail =
      R"(],"temperature":0.7,"top_p":1,"max_tokens":1024,"stream":true,)"
      R"("stream_options":{"include_usage":true},"user":"user-1234",)"
      R"("metadata":{"model":"decoy","tenant":"acme"},)"
      R"("tools":[{"type":"function","function":{"name":"get_weather",)"
      R"("description":"Weather for a city","parameters":{"type":"object",)"
      R"("properties":{"city":{"type":"string"}},"required":["city"]}}}])";
  body += R"("messages":[{"role":"system","content":")" +
          text.Paragraphs(std::min<std::size_t>(300, target_bytes / 4)) + R"("})";
  bool user = true;
  const std::size_t reserved = tail.size() + model_member.size() + 2;
  while (body.size() + reserved < target_bytes) {
    const std::size_t remaining = target_bytes - reserved - body.size();
    const std::size_t content = std::min<std::size_t>(remaining, user ? 2000 : 6000);
    body += R"(,{"role":")";
    body += user ? "user" : "assistant";
    body += R"(","content":")" + text.Paragraphs(content) + R"("})";
    user = !user;
  }
  body += tail;
  if (!model_first) body += "," + model_member;
  body += "}";
  return body;
}

// A body made of many small tokens (an embeddings request of token ids): the walk's worst
// realistic case, since it costs per token where chat bodies are mostly long strings.
std::string TokenIdsBody(std::size_t target_bytes, bool model_first) {
  const std::string model_member = R"("model":"gpt-4o-2024-08-06")";
  std::string body = "{";
  if (model_first) body += model_member + ",";
  body += R"("input":[)";
  std::uint64_t id = 12345;
  while (body.size() + model_member.size() + 8 < target_bytes) {
    id = id * 6364136223846793005ull + 1442695040888963407ull;
    body += std::to_string((id >> 40) % 100000);
    body += ',';
  }
  body += "0]";
  if (!model_first) body += "," + model_member;
  body += "}";
  return body;
}

enum class Path { kInPlace, kCopy, kDom };

struct Case {
  std::string name;
  std::size_t size;
  bool model_first;
  Path path;
  bool token_ids = false;
};

// The body followed by its padding, built once per case.
struct PaddedBody {
  std::string storage;
  std::size_t size;
  std::string_view view() const { return std::string_view(storage.data(), size); }
};

PaddedBody MakeBody(const Case& c) {
  std::string json =
      c.token_ids ? TokenIdsBody(c.size, c.model_first) : ChatCompletionBody(c.size, c.model_first);
  const std::size_t json_size = json.size();
  json.append(llmroute::kBodyPaddingBytes, ' ');
  return {std::move(json), json_size};
}

void ReportSteadyState(benchmark::State& state, std::size_t body_size, std::uint64_t allocs) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body_size));
  state.counters["allocs_per_op"] =
      benchmark::Counter(static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
  state.counters["body_bytes"] = static_cast<double>(body_size);
}

void BM_ExtractModel(benchmark::State& state, const Case& c) {
  const PaddedBody body = MakeBody(c);
  const std::size_t padding = c.path == Path::kInPlace ? llmroute::kBodyPaddingBytes : 0;
  // Warm-up: sizes the per-thread parser and copy buffer, and checks the answer.
  const BodyModel first = ExtractModel(body.view(), padding);
  if (first.status != BodyModel::Status::kModel || first.model != "gpt-4o-2024-08-06") {
    state.SkipWithError("wrong model");
    return;
  }
  const std::uint64_t allocs_before = llmroute::bench::AllocationsOnThisThread();
  for (auto _ : state) {
    BodyModel result = ExtractModel(body.view(), padding);
    benchmark::DoNotOptimize(result);
  }
  ReportSteadyState(state, body.size,
                    llmroute::bench::AllocationsOnThisThread() - allocs_before);
}

void BM_DomParse(benchmark::State& state, const Case& c) {
  const PaddedBody body = MakeBody(c);
  simdjson::dom::parser parser;
  auto parse_model = [&]() -> std::string_view {
    // realloc_if_needed=false: the buffer is padded, so the DOM parser does not copy it.
    simdjson::dom::element doc;
    if (parser.parse(body.storage.data(), body.size, false).get(doc)) return {};
    std::string_view model;
    if (doc["model"].get_string().get(model)) return {};
    return model;
  };
  if (parse_model() != "gpt-4o-2024-08-06") {
    state.SkipWithError("wrong model");
    return;
  }
  const std::uint64_t allocs_before = llmroute::bench::AllocationsOnThisThread();
  for (auto _ : state) {
    std::string_view model = parse_model();
    benchmark::DoNotOptimize(model);
  }
  ReportSteadyState(state, body.size,
                    llmroute::bench::AllocationsOnThisThread() - allocs_before);
}

}  // namespace

int main(int argc, char** argv) {
  {
    // allocs_per_op is meaningful only if this binary's operator new is the one called.
    const std::uint64_t before = llmroute::bench::AllocationsOnThisThread();
    std::vector<char> probe(64);
    benchmark::DoNotOptimize(probe.data());
    if (llmroute::bench::AllocationsOnThisThread() == before) {
      std::fprintf(stderr, "operator new replacement is not in effect\n");
      return 1;
    }
  }
  static const std::vector<Case> cases = [] {
    std::vector<Case> all;
    const std::pair<const char*, std::size_t> sizes[] = {
        {"1KB", 1024}, {"100KB", 100 * 1024}, {"1MB", 1024 * 1024}};
    const std::pair<const char*, Path> paths[] = {
        {"in_place", Path::kInPlace}, {"copy", Path::kCopy}, {"dom", Path::kDom}};
    for (const auto& [size_name, size] : sizes) {
      for (const bool model_first : {true, false}) {
        for (const auto& [path_name, path] : paths) {
          all.push_back({std::string(size_name) + (model_first ? "/model_first/" : "/model_last/") +
                             path_name,
                         size, model_first, path});
        }
      }
    }
    for (const auto& [path_name, path] : paths) {
      all.push_back({std::string("1MB_token_ids/model_last/") + path_name, 1024 * 1024, false,
                     path, /*token_ids=*/true});
    }
    return all;
  }();
  for (const Case& c : cases) {
    if (c.path == Path::kDom) {
      benchmark::RegisterBenchmark(("BM_DomParse/" + c.name).c_str(), BM_DomParse, c);
    } else {
      benchmark::RegisterBenchmark(("BM_ExtractModel/" + c.name).c_str(), BM_ExtractModel, c);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
