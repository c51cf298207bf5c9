// resolve's work grows at most linearly with the request, whatever its shape: long paths
// of many segments, many and repeated headers, long query strings. Counted, not timed.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "compile/compiled_table.h"
#include "gtest/gtest.h"
#include "resolve/request_state.h"
#include "resolve/resolve_steps.h"
#include "test_support.h"

namespace llmroute::test {
namespace {

constexpr char kPrefixes[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: short}]
  - matches: [{path: {type: PathPrefix, value: /a/a/}}]
    backendRefs: [{name: longer}]
  - matches: [{path: {type: PathPrefix, value: /v1/chat}}]
    backendRefs: [{name: chat}]
)";

std::string Repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// Each path-prefix key length the table holds is looked up at most once, however many
// segments the path has (before: once per '/', each hashing the prefix from its start).
TEST(ResolveCost, PathPrefixLookupsAreBoundedByTheConfiguredLengths) {
  auto table = MustCompile(kPrefixes);
  ASSERT_NE(table, nullptr);
  const internal::CompiledTable& compiled = table->compiled();
  ASSERT_NE(compiled.catch_all_group, internal::kNone);
  const std::vector<uint32_t>& lengths =
      compiled.groups[compiled.catch_all_group].path_prefixes.prefix_lengths;
  EXPECT_EQ(lengths, (std::vector<uint32_t>{2, 4, 8}));

  const std::string path = Repeat("/a", 30000);  // 60 KB, 30,000 segments
  std::size_t lookups = 0, bytes = 0;
  internal::ForEachPathPrefixKey(path, lengths, [&](std::string_view key) {
    ++lookups;
    bytes += key.size();
    EXPECT_TRUE(path.starts_with(key));
  });
  EXPECT_EQ(lookups, 3u);  // "/a", "/a/a" and "/a/a/a/a": one per configured length
  EXPECT_EQ(bytes, 14u);

  lookups = 0;
  internal::ForEachPathPrefixKey("/v1/chat/completions", lengths, [&](std::string_view key) {
    EXPECT_EQ(key, "/v1/chat");
    ++lookups;
  });
  EXPECT_EQ(lookups, 1u);

  // And resolve finds the most specific prefix through them.
  EXPECT_EQ(Render(Resolve(table, Req().Path(path)).decision().backend), "ns/longer");
  EXPECT_EQ(Render(Resolve(table, Req().Path("/a/a")).decision().backend), "ns/longer");
  EXPECT_EQ(Render(Resolve(table, Req().Path("/a/ab")).decision().backend), "ns/short");
  EXPECT_EQ(Render(Resolve(table, Req().Path("/aa/a")).decision().backend), kNull);
  EXPECT_EQ(Render(Resolve(table, Req().Path("/v1/chat/")).decision().backend), "ns/chat");
  EXPECT_EQ(Render(Resolve(table, Req().Path("/v1/chatty")).decision().backend), kNull);
}

// A table that reads many header names, each with an Exact anchor: resolve reads every
// slot, so a request repeating each of them makes it join every one. Rule 7 wants the
// value "first,second".
std::string ManyHeaderRules(int count) {
  return ManyHeaderRulesYaml(count, [](int i) { return i == 7 ? "first,second" : "v"; });
}

// Joining a repeated header visits only its own occurrences (before: every later header of
// the request, for each repeated header the table reads).
TEST(ResolveCost, JoiningRepeatedHeadersVisitsEachOccurrenceOnce) {
  constexpr int kNames = 200;
  auto table = MustCompile(ManyHeaderRules(kNames));
  ASSERT_NE(table, nullptr);
  Req request;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kNames; ++i) {
      request.AddHeader(Cat("X-H", i), i == 7 ? (round == 0 ? "first" : "second") : "w");
    }
    for (int i = 0; i < 300; ++i) request.AddHeader(Cat("x-other-", i), "z");
  }
  internal::ResolveScratch& scratch = internal::ResolveScratch::ForThisThread();
  const uint64_t before = scratch.joined_header_visits;
  Resolved r(table, std::move(request));
  EXPECT_EQ(Render(r.decision().backend), "ns/b7");
  EXPECT_LE(scratch.joined_header_visits - before, static_cast<uint64_t>(kNames));
}

TEST(ResolveCost, HundredRepeatedModelHeadersJoinInOrder) {
  auto table = MustCompile(ManyHeaderRules(1));
  ASSERT_NE(table, nullptr);
  Req request;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    request.AddHeader("x-ai-eg-model", Cat("m", i));
    request.AddHeader(Cat("x-pad-", i), "p");
    expected += Cat(i ? "," : "", "m", i);
  }
  internal::ResolveScratch& scratch = internal::ResolveScratch::ForThisThread();
  const uint64_t before = scratch.joined_header_visits;
  Resolved r(table, std::move(request));
  EXPECT_EQ(Render(r.decision().model), expected);
  EXPECT_EQ(scratch.joined_header_visits - before, 99u);
}

constexpr char kQuery[] = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{queryParams: [{name: key, value: "v&w"}]}]
    backendRefs: [{name: q}]
)";

// A 64 KiB query string of repeated, percent-encoded parameters: the first value wins.
TEST(ResolveCost, LongQueryOfRepeatedParameters) {
  auto table = MustCompile(kQuery);
  ASSERT_NE(table, nullptr);
  std::string path = "/v1?k%65y=v%26w";
  while (path.size() < 64 * 1024) path += "&k%65y=other&x%41=%41%42&key";
  EXPECT_EQ(Render(Resolve(table, Req().Path(path)).decision().backend), "ns/q");
  path = "/v1?key=other" + path.substr(3);
  EXPECT_EQ(Render(Resolve(table, Req().Path(path)).decision().backend), kNull);
}

// --- What a decision's `model` points into (llmroute/decision.h) -----------------------

bool Within(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

TEST(DecisionLifetime, ModelOfOneHeaderPointsIntoTheRequestsValue) {
  auto table = MustCompile(ManyHeaderRules(1));
  ASSERT_NE(table, nullptr);
  Resolved r(table, Req().Header("x-other", "o").Header("x-ai-eg-model", "gpt-4o"));
  ASSERT_TRUE(r.decision().model.has_value());
  EXPECT_TRUE(Within(*r.decision().model, r.request().View().headers[1].value));
}

// Repeated: the joined value is in this thread's buffer, not in the request; it holds until
// this thread resolves again, whatever other threads resolve meanwhile.
TEST(DecisionLifetime, RepeatedModelHeaderIsJoinedInThisThreadsBuffer) {
  auto table = MustCompile(ManyHeaderRules(1));
  ASSERT_NE(table, nullptr);
  Resolved first(table, Req().Header("x-ai-eg-model", "a").Header("x-ai-eg-model", "b"));
  const std::optional<std::string_view> model = first.decision().model;
  ASSERT_TRUE(model.has_value());
  EXPECT_EQ(*model, "a,b");
  for (const Header& header : first.request().View().headers) {
    EXPECT_FALSE(Within(*model, header.value));
  }
  std::thread other([&] {
    Resolved second(table, Req().Header("x-ai-eg-model", "c").Header("x-ai-eg-model", "d"));
    EXPECT_EQ(Render(second.decision().model), "c,d");
    EXPECT_NE(second.decision().model->data(), model->data());
  });
  other.join();
  EXPECT_EQ(*model, "a,b");
}

}  // namespace
}  // namespace llmroute::test
