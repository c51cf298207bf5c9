// The top-level "model" of a JSON request body: internal::ExtractModel
// (docs/routing.md#body-model).
//
// Heap allocations per call are counted by bench/body_model_bench.cc (allocs_per_op): this
// binary's operator new is replaced once, by zero_allocation_test.cc, for resolve workloads.
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "body/model_extractor.h"
#include "gtest/gtest.h"
#include "llmroute/request.h"

namespace llmroute::internal {
namespace {

using Status = BodyModel::Status;

// A body followed by kBodyPaddingBytes bytes of `fill`, as a caller that owns a larger
// buffer would pass it.
class PaddedBody {
 public:
  explicit PaddedBody(std::string_view json, char fill = '\0')
      : storage_(std::string(json) + std::string(kBodyPaddingBytes, fill)),
        size_(json.size()) {}
  std::string_view view() const { return std::string_view(storage_.data(), size_); }
  bool Contains(std::string_view part) const {
    return part.data() >= storage_.data() && part.data() + part.size() <= storage_.data() + size_;
  }

 private:
  std::string storage_;
  std::size_t size_;
};

// Extracts from an unpadded copy of `json` (the copying path).
BodyModel Extract(std::string_view json) { return ExtractModel(json, 0); }

// Checks both paths agree that `json` is refused, and returns the reason of the first.
std::string_view ExpectBadBody(std::string_view json) {
  const BodyModel copied = Extract(json);
  EXPECT_EQ(copied.status, Status::kBadBody) << json;
  EXPECT_FALSE(copied.reason.empty()) << json;
  const PaddedBody padded(json);
  const BodyModel in_place = ExtractModel(padded.view(), kBodyPaddingBytes);
  EXPECT_EQ(in_place.status, Status::kBadBody) << json;
  EXPECT_EQ(in_place.reason, copied.reason) << json;
  return copied.reason;
}

void ExpectModel(std::string_view json, std::string_view model) {
  const BodyModel copied = Extract(json);
  EXPECT_EQ(copied.status, Status::kModel) << json << " reason: " << copied.reason;
  EXPECT_EQ(copied.model, model) << json;
  const PaddedBody padded(json);
  const BodyModel in_place = ExtractModel(padded.view(), kBodyPaddingBytes);
  EXPECT_EQ(in_place.status, Status::kModel) << json << " reason: " << in_place.reason;
  EXPECT_EQ(in_place.model, model) << json;
}

void ExpectNoModel(std::string_view json) {
  const BodyModel copied = Extract(json);
  EXPECT_EQ(copied.status, Status::kNoModel) << json << " reason: " << copied.reason;
  EXPECT_TRUE(copied.model.empty());
  const PaddedBody padded(json);
  EXPECT_EQ(ExtractModel(padded.view(), kBodyPaddingBytes).status, Status::kNoModel) << json;
}

// A chat completion whose messages carry roughly `content_bytes` of text in total.
std::string ChatBody(std::size_t content_bytes, bool model_first) {
  std::string body = "{";
  if (model_first) body += R"("model":"gpt-4o",)";
  body += R"("messages":[)";
  const std::string content(4000, 'x');
  for (std::size_t written = 0, i = 0; written < content_bytes; written += content.size(), ++i) {
    if (i > 0) body += ",";
    body += R"({"role":"user","content":")" + content + R"("})";
  }
  body += R"(],"temperature":0.2,"stream":false)";
  if (!model_first) body += R"(,"model":"gpt-4o")";
  body += "}";
  return body;
}

TEST(BodyModelTest, BodyModel_ModelFirst) {
  ExpectModel(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})", "gpt-4o");
}

TEST(BodyModelTest, BodyModel_ModelLast) {
  ExpectModel(R"({"messages":[{"role":"user","content":"hi"}],"stream":true,"model":"gpt-4o"})",
              "gpt-4o");
}

TEST(BodyModelTest, BodyModel_ModelAbsent) {
  ExpectNoModel(R"({"messages":[{"role":"user","content":"hi"}]})");
}

TEST(BodyModelTest, BodyModel_EmptyObject) { ExpectNoModel("{}"); }

TEST(BodyModelTest, BodyModel_WhitespaceAroundTokens) {
  ExpectModel(" \r\n\t{ \"model\" :\t\"gpt-4o\" \n, \"n\" : 1 }\n ", "gpt-4o");
}

TEST(BodyModelTest, BodyModel_EmptyStringIsAModel) { ExpectModel(R"({"model":""})", ""); }

TEST(BodyModelTest, BodyModel_NestedModelInMessagesIsIgnored) {
  ExpectNoModel(R"({"messages":[{"role":"user","model":"decoy","content":"hi"}]})");
}

TEST(BodyModelTest, BodyModel_NestedModelInMetadataIsIgnored) {
  ExpectNoModel(R"({"metadata":{"model":"decoy","tags":{"model":"deeper"}}})");
}

TEST(BodyModelTest, BodyModel_NestedDecoysBesideTopLevelModel) {
  ExpectModel(
      R"({"messages":[{"model":"decoy1"}],"metadata":{"model":"decoy2"},"model":"real",)"
      R"("tools":[{"function":{"model":"decoy3"}}]})",
      "real");
}

TEST(BodyModelTest, BodyModel_ModelTextInsideStringIsIgnored) {
  ExpectNoModel(R"({"content":"{\"model\":\"decoy\"}","x":"\"model\":\"y\""})");
}

TEST(BodyModelTest, BodyModel_EscapedValueIsDecoded) {
  ExpectModel(R"({"model":"gpt\u002d4o"})", "gpt-4o");
}

TEST(BodyModelTest, BodyModel_EscapedQuoteAndBackslashInValue) {
  ExpectModel(R"({"model":"a\"b\\c\/d"})", "a\"b\\c/d");
}

TEST(BodyModelTest, BodyModel_SurrogatePairIsDecoded) {
  ExpectModel(R"({"model":"m\ud83d\ude00"})", "m\xF0\x9F\x98\x80");
}

TEST(BodyModelTest, BodyModel_RawUtf8ValueIsKept) {
  ExpectModel("{\"model\":\"mod\xC3\xA8le\"}", "mod\xC3\xA8le");
}

TEST(BodyModelTest, BodyModel_EscapedKeyIsModel) {
  ExpectModel(R"({"\u006dodel":"gpt-4o"})", "gpt-4o");
}

TEST(BodyModelTest, BodyModel_KeyThatOnlyStartsWithModelIsIgnored) {
  ExpectNoModel(R"({"models":"a","mode":"b","Model":"c","model ":"d"})");
}

TEST(BodyModelTest, BodyModel_DuplicatedModel) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"a","messages":[],"model":"b"})"),
            "duplicated top-level \"model\"");
}

TEST(BodyModelTest, BodyModel_DuplicatedModelSameValue) {
  ExpectBadBody(R"({"model":"a","model":"a"})");
}

TEST(BodyModelTest, BodyModel_DuplicatedModelEscapedSpelling) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"a","mod\u0065l":"b"})"), "duplicated top-level \"model\"");
}

TEST(BodyModelTest, BodyModel_DuplicatedModelFirstNotString) {
  ExpectBadBody(R"({"model":null,"model":"b"})");
}

TEST(BodyModelTest, BodyModel_Malformed) {
  ExpectBadBody(R"({"model":"a",})");
  ExpectBadBody(R"({"model" "a"})");
  ExpectBadBody(R"({"model":"a" "n":1})");
  ExpectBadBody(R"({model:"a"})");
  ExpectBadBody(R"({"model":"a"x})");
  ExpectBadBody(R"({"model":'a'})");
  ExpectBadBody(R"({"model":"a",,"n":1})");
}

TEST(BodyModelTest, BodyModel_Array) {
  EXPECT_EQ(ExpectBadBody(R"([{"model":"a"}])"), "body is not a JSON object");
}

TEST(BodyModelTest, BodyModel_String) {
  EXPECT_EQ(ExpectBadBody(R"("model")"), "body is not a JSON object");
}

TEST(BodyModelTest, BodyModel_Number) {
  EXPECT_EQ(ExpectBadBody("42"), "body is not a JSON object");
}

TEST(BodyModelTest, BodyModel_Literal) { ExpectBadBody("null"); }

TEST(BodyModelTest, BodyModel_Truncated) {
  const std::string whole = R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})";
  // Every proper prefix, including those that end right after the model.
  for (std::size_t size = 1; size < whole.size(); ++size) {
    ExpectBadBody(std::string_view(whole).substr(0, size));
  }
}

TEST(BodyModelTest, BodyModel_TruncatedEndingInClosingBrace) {
  // The last byte closes the inner object, not the body.
  ExpectBadBody(R"({"model":"a","metadata":{"k":1})");
  ExpectBadBody(R"({"model":"a","messages":[{"k":1}])");
}

TEST(BodyModelTest, BodyModel_Empty) {
  EXPECT_EQ(ExpectBadBody(""), "body is empty");
  EXPECT_EQ(ExtractModel(std::string_view(), 0).status, Status::kBadBody);
}

TEST(BodyModelTest, BodyModel_WhitespaceOnly) {
  EXPECT_EQ(ExpectBadBody(" \n\t\r "), "body is empty");
}

TEST(BodyModelTest, BodyModel_TrailingGarbage) {
  ExpectBadBody(R"({"model":"a"} x)");
  ExpectBadBody(R"({"model":"a"}])");
  ExpectBadBody(R"({"model":"a"} 1)");
}

TEST(BodyModelTest, BodyModel_TrailingClosingBrace) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"a"}})"), "body has data after the JSON object");
}

TEST(BodyModelTest, BodyModel_TrailingSecondObject) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"a"} {"model":"b"})"), "body has data after the JSON object");
}

TEST(BodyModelTest, BodyModel_ModelNotString) {
  ExpectNoModel(R"({"model":42})");
  ExpectNoModel(R"({"model":null})");
  ExpectNoModel(R"({"model":true})");
  ExpectNoModel(R"({"model":{"name":"gpt-4o"}})");
  ExpectNoModel(R"({"model":["gpt-4o"]})");
}

TEST(BodyModelTest, BodyModel_ModelNotStringStillValidatesBody) {
  ExpectBadBody(R"({"model":42,"messages":[)");
  ExpectBadBody(R"({"model":{"name":"a"}} x)");
}

TEST(BodyModelTest, BodyModel_LoneHighSurrogate) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"\ud800"})"), "model is not valid Unicode");
  EXPECT_EQ(ExpectBadBody(R"({"model":"a\ud83dz"})"), "model is not valid Unicode");
  EXPECT_EQ(ExpectBadBody(R"({"model":"\ud800\ud800"})"), "model is not valid Unicode");
}

TEST(BodyModelTest, BodyModel_LoneLowSurrogate) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"\udc00"})"), "model is not valid Unicode");
}

TEST(BodyModelTest, BodyModel_InvalidEscapeInModel) {
  EXPECT_EQ(ExpectBadBody(R"({"model":"a\x"})"), "model is not a valid JSON string");
  EXPECT_EQ(ExpectBadBody(R"({"model":"\u12g4"})"), "model is not a valid JSON string");
}

TEST(BodyModelTest, BodyModel_RawControlCharacterInString) {
  EXPECT_EQ(ExpectBadBody("{\"model\":\"a\nb\"}"), "body has a control character inside a string");
  ExpectBadBody("{\"content\":\"tab\there\",\"model\":\"a\"}");
}

TEST(BodyModelTest, BodyModel_InvalidUtf8) {
  EXPECT_EQ(ExpectBadBody("{\"model\":\"a\xC3\"}"), "body is not valid UTF-8");
  EXPECT_EQ(ExpectBadBody("{\"other\":\"\xFF\",\"model\":\"a\"}"), "body is not valid UTF-8");
}

TEST(BodyModelTest, BodyModel_NestingUpToTheLimit) {
  // The body's object plus 1023 arrays: simdjson's default depth of 1024.
  const std::size_t arrays = 1023;
  ExpectModel(R"({"a":)" + std::string(arrays, '[') + std::string(arrays, ']') + R"(,"model":"m"})",
              "m");
}

TEST(BodyModelTest, BodyModel_NestingBeyondTheLimit) {
  const std::size_t arrays = 100000;
  EXPECT_EQ(ExpectBadBody(R"({"model":"m","a":)" + std::string(arrays, '[') +
                          std::string(arrays, ']') + "}"),
            "body is nested too deeply");
}

TEST(BodyModelTest, BodyModel_GrammarErrorInsideOtherValue) {
  // Each is refused although "model" itself is fine: the whole body must be JSON.
  ExpectBadBody(R"({"model":"a","messages":[1 2]})");
  ExpectBadBody(R"({"model":"a","messages":[1,]})");
  ExpectBadBody(R"({"model":"a","messages":[,1]})");
  ExpectBadBody(R"({"model":"a","metadata":{"k" 1}})");
  ExpectBadBody(R"({"model":"a","metadata":{"k":}})");
  ExpectBadBody(R"({"model":"a","metadata":{1:2}})");
  ExpectBadBody(R"({"model":"a","metadata":{"k":1,}})");
  ExpectBadBody(R"({"model":"a","messages":[{"k":1]}})");  // mismatched brackets
  ExpectBadBody(R"({"model":"a","messages":[}]})");
  ExpectBadBody(R"({"model":"a","messages":["k":1]})");  // a key inside an array
  ExpectBadBody(R"({"model":"a":1})");
  ExpectBadBody(R"({"me"::{"role":"user"}],"model":"x"})");  // found by fuzzing
}

TEST(BodyModelTest, BodyModel_BadScalarInsideOtherValue) {
  for (const std::string_view scalar :
       {"01", "1.", ".5", "-", "1e", "1e+", "+1", "0x10", "tru", "truex", "nul", "False",
        "NaN", "Infinity", "'s'"}) {
    ExpectBadBody(R"({"model":"a","n":[)" + std::string(scalar) + "]}");
  }
}

TEST(BodyModelTest, BodyModel_ValidScalarsInsideOtherValue) {
  ExpectModel(
      R"({"n":[0,-0,1.5,-2e10,3E-2,4e+1,123456789012345678901234567890,1e400,true,false,null,)"
      R"("",{}, [] ],"model":"a"})",
      "a");
}

TEST(BodyModelTest, BodyModel_BadEscapeInsideOtherValue) {
  ExpectBadBody(R"({"model":"a","content":"bad \x escape"})");
  ExpectBadBody(R"({"model":"a","content":"\u12"})");
  ExpectBadBody(R"({"model":"a","metadata":{"k\q":1}})");
  ExpectBadBody(R"({"\q":1,"model":"a"})");
}

TEST(BodyModelTest, BodyModel_EscapesAtEveryOffset) {
  // Escapes are found in blocks of bytes: try each across block boundaries.
  for (std::size_t prefix = 0; prefix < 40; ++prefix) {
    const std::string text(prefix, 'a');
    for (const std::string_view escape : {R"(\\)", R"(\")", R"(\u0041)", R"(\\\\)", R"(\\x)"}) {
      ExpectModel(R"({"content":")" + text + std::string(escape) + text + R"(","model":"m"})", "m");
    }
    for (const std::string_view escape : {R"(\x)", R"(\u004)", R"(\\\x)", R"(\U0041)"}) {
      ExpectBadBody(R"({"content":")" + text + std::string(escape) + R"(","model":"m"})");
    }
  }
}

TEST(BodyModelTest, BodyModel_LoneSurrogateOutsideModelIsAccepted) {
  // Well-formed JSON; only the model must be valid Unicode.
  ExpectModel(R"({"\ud800":1,"content":"\udc00","model":"a"})", "a");
}

// The reason each malformed body gets, on both paths.
TEST(BodyModelTest, BodyModel_ReasonOfEachGrammarError) {
  constexpr std::string_view kNotJson = "body is not valid JSON";
  const struct {
    std::string_view body;
    std::string_view reason;
  } cases[] = {
      {R"({"a" 1})", kNotJson},
      {R"({"a":})", kNotJson},
      {R"({,})", kNotJson},
      {R"({"a":1,})", kNotJson},
      {R"({"a":1,,"b":2})", kNotJson},
      {R"({"a":[1,]})", kNotJson},
      {R"({"a":[1 2]})", kNotJson},
      {R"({"a":{"b" 1}})", kNotJson},
      {R"({"a":{,}})", kNotJson},
      {R"({"a":tr ue})", kNotJson},  // a scalar split by whitespace is two tokens
      {R"({"a":1 2})", kNotJson},
      {R"({"a":- 1})", kNotJson},
      {R"({"a":1"b"})", kNotJson},
      {R"({"a":"b"c})", kNotJson},
      {R"({"a":[1}})", kNotJson},
      {R"({"a":{"b":1]})", kNotJson},
      {R"({"a":1]})", kNotJson},
      {R"({"model":"x"}x)", kNotJson},
      {R"({"model":"x"}{})", "body has data after the JSON object"},
      {R"({"model":"x"}})", "body has data after the JSON object"},
      {R"({}{})", "body has data after the JSON object"},
      {R"([1 2])", "body is not a JSON object"},
      {R"( 1 )", "body is not a JSON object"},
      {R"(})", "body is not a JSON object"},
      {R"({"a":1)", kNotJson},
      {R"({"a":"\x"})", kNotJson},
      {R"({"a\x":1})", kNotJson},
      {R"({"a":{"b\x":1}})", kNotJson},
      {R"({"a":"\u00e"})", kNotJson},
      {R"({"model":"a\x"})", "model is not a valid JSON string"},
      {R"({"model":"a\x\udc00"})", "model is not valid Unicode"},
      {R"({"model":"\ud800\u0041"})", "model is not valid Unicode"},
      {R"({"model":"\ud800\ue000"})", "model is not valid Unicode"},
  };
  for (const auto& c : cases) EXPECT_EQ(ExpectBadBody(c.body), c.reason) << c.body;
}

// A body is read in order: the first problem met is the one reported, even when a
// malformed escape or token comes later.
TEST(BodyModelTest, BodyModel_FirstProblemInOrderIsReported) {
  constexpr std::string_view kDuplicated = "duplicated top-level \"model\"";
  EXPECT_EQ(ExpectBadBody(R"({"model":"a","model":"b","c":"\x"})"), kDuplicated);
  EXPECT_EQ(ExpectBadBody(R"({"model":"a","model":"\x"})"), kDuplicated);
  EXPECT_EQ(ExpectBadBody(R"({"model":"a","model":"b",]})"), kDuplicated);
  EXPECT_EQ(ExpectBadBody(R"({"c":"\x","model":"a","model":"b"})"), "body is not valid JSON");
  EXPECT_EQ(ExpectBadBody(R"({"c":[1 2],"model":"a","model":"b"})"), "body is not valid JSON");
  EXPECT_EQ(ExpectBadBody(R"({"model":"\ud800","c":"\x"})"), "model is not valid Unicode");
  EXPECT_EQ(ExpectBadBody(R"({"c":"\x","model":"\ud800"})"), "body is not valid JSON");
  EXPECT_EQ(ExpectBadBody(R"({"model":"a","model":"b","c":)" + std::string(2000, '[') + "}"),
            kDuplicated);
}

// Containers of both kinds, alternating, `depth` deep counting the body's object.
std::string NestedBody(std::size_t depth) {
  std::string open, close;
  for (std::size_t level = 1; level < depth; ++level) {
    if (level % 3 == 0) {
      open += R"({"k":)";
      close = "}" + close;
    } else {
      open += "[0,";
      close = "]" + close;
    }
  }
  return R"({"a":)" + open + "1" + close + R"(,"model":"m"})";
}

TEST(BodyModelTest, BodyModel_NestingOfObjectsAndArraysAtTheLimit) {
  ExpectModel(NestedBody(1024), "m");
  EXPECT_EQ(ExpectBadBody(NestedBody(1025)), "body is nested too deeply");
  // Closed by the wrong kind at each depth around a 64-level boundary.
  for (const std::size_t depth : {63, 64, 65, 128, 129}) {
    std::string body = NestedBody(depth);
    const std::size_t close = body.find_first_of("]}");
    body[close] = body[close] == ']' ? '}' : ']';
    EXPECT_EQ(ExpectBadBody(body), "body is not valid JSON") << depth;
  }
}

TEST(BodyModelTest, BodyModel_EveryEscapeFormInKeysAndTheModel) {
  static constexpr char kDecoded[] =
      "a\"b\\c/d\be\ff\ng\rh\ti\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\0z";
  ExpectModel(
      R"({"\u006D\u006f\u0064\u0065\u006c":"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u20ac\ud83d\ude00\u0000z"})",
      std::string_view(kDecoded, sizeof(kDecoded) - 1));
  ExpectModel(R"({"k\"\\\/\b\f\n\r\t\u0041":1,"model":"m"})", "m");
  ExpectModel(R"({"a":{"k\"\\\/\b\f\n\r\t\u0041\ud800":"\"\\\/\b\f\n\r\t\u0041\udc00"},"model":"m"})", "m");
  // An escaped backslash before what would otherwise be an escape.
  ExpectModel(R"({"model":"\\u12","a":"\\x\\\\"})", "\\u12");
}

TEST(BodyModelTest, BodyModel_AffinityFieldsAreReadInTheSamePass) {
  const std::string_view fields[] = {"user", "s\\u", "model"};
  for (const std::size_t padding : {std::size_t{0}, kBodyPaddingBytes}) {
    const PaddedBody body(
        R"({"us\u0065r":"first","x":"\x41","model":"m\u0021","s\\u":7,"user":"u\u00e9"})");
    std::string_view values[3] = {};
    // "\x41" is a malformed escape: refused, whichever field was read before.
    EXPECT_EQ(ExtractModel(body.view(), padding, BodyLimit(), fields, values).reason,
              "body is not valid JSON");

    const PaddedBody good(
        R"({"us\u0065r":"first","model":"m\u0021","s\\u":7,"user":"u\u00e9","s\\u":"\ud800"})");
    const BodyModel result = ExtractModel(good.view(), padding, BodyLimit(), fields, values);
    ASSERT_EQ(result.status, Status::kModel) << result.reason;
    EXPECT_EQ(result.model, "m!");
    EXPECT_EQ(values[0], "u\xC3\xA9");  // the last one
    EXPECT_TRUE(values[1].empty());     // a lone surrogate is no key
    EXPECT_EQ(values[2], "m!");
  }
}

// A body whose brackets do not balance is refused where the reading finds it wrong, whatever
// the bytes after a padded body hold ('}' included).
TEST(BodyModelTest, BodyModel_UnbalancedBodyAndTheByteAfterIt) {
  const std::string_view json = R"({"model":"a","model":"b","c":{})";
  EXPECT_EQ(Extract(json).reason, "duplicated top-level \"model\"");
  for (const char fill : {'\0', ' ', ']', 'x', '}'}) {
    const PaddedBody padded(json, fill);
    EXPECT_EQ(ExtractModel(padded.view(), kBodyPaddingBytes).reason,
              "duplicated top-level \"model\"")
        << fill;
  }
}

TEST(BodyModelTest, BodyModel_TenMegabyteBodyModelLast) {
  const std::string body = ChatBody(10 * 1024 * 1024, /*model_first=*/false);
  ASSERT_GE(body.size(), 10u * 1024 * 1024);
  ExpectModel(body, "gpt-4o");
  // The same, truncated by one byte.
  ExpectBadBody(std::string_view(body).substr(0, body.size() - 1));
}

TEST(BodyModelTest, BodyModel_PaddedBodyIsParsedInPlace) {
  const PaddedBody body(R"({"messages":[],"model":"gpt-4o"})");
  const BodyModel result = ExtractModel(body.view(), kBodyPaddingBytes);
  ASSERT_EQ(result.status, Status::kModel);
  EXPECT_EQ(result.model, "gpt-4o");
  EXPECT_TRUE(body.Contains(result.model));
}

TEST(BodyModelTest, BodyModel_UnpaddedBodyReturnsViewIntoOriginal) {
  const std::string body = R"({"messages":[],"model":"gpt-4o"})";
  const BodyModel result = ExtractModel(body, kBodyPaddingBytes - 1);
  ASSERT_EQ(result.status, Status::kModel);
  EXPECT_EQ(result.model, "gpt-4o");
  EXPECT_EQ(result.model.data(), body.data() + body.find("gpt-4o"));
}

TEST(BodyModelTest, BodyModel_UnescapedModelOutlivesLaterCalls) {
  const std::string body = R"({"model":"first"})";
  const BodyModel first = Extract(body);
  ASSERT_EQ(first.status, Status::kModel);
  ExpectModel(R"({"model":"second-and-longer"})", "second-and-longer");
  EXPECT_EQ(first.model, "first");
}

TEST(BodyModelTest, BodyModel_EscapedModelIsNotInTheBody) {
  const PaddedBody body(R"({"model":"gpt\u002d4o"})");
  const BodyModel result = ExtractModel(body.view(), kBodyPaddingBytes);
  ASSERT_EQ(result.status, Status::kModel);
  EXPECT_EQ(result.model, "gpt-4o");
  EXPECT_FALSE(body.Contains(result.model));
}

TEST(BodyModelTest, BodyModel_PaddingContentDoesNotMatter) {
  for (const char fill : {'\0', ' ', '}', ']', ',', '"', '{', 'x'}) {
    const PaddedBody whole(R"({"model":"a","metadata":{"k":1}})", fill);
    const BodyModel ok = ExtractModel(whole.view(), kBodyPaddingBytes);
    EXPECT_EQ(ok.status, Status::kModel) << "fill " << fill;
    EXPECT_EQ(ok.model, "a");
    const PaddedBody truncated(R"({"model":"a","metadata":{"k":1})", fill);
    EXPECT_EQ(ExtractModel(truncated.view(), kBodyPaddingBytes).status, Status::kBadBody)
        << "fill " << fill;
  }
}

TEST(BodyModelTest, BodyModel_BuffersGrowAndShrinkBack) {
  // Small, large, small again on one thread: the reused buffers hold no stale state.
  ExpectModel(R"({"model":"small"})", "small");
  const std::string large = ChatBody(512 * 1024, /*model_first=*/false);
  ExpectModel(large, "gpt-4o");
  ExpectModel(R"({"model":"small\u0021"})", "small!");
  ExpectBadBody(R"({"model":"small")");
}

TEST(BodyModelTest, BodyModel_ThreadsDoNotShareBuffers) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      const std::string expected = "model-" + std::to_string(t);
      // Escaped, so the result lives in the thread's own buffer.
      const std::string body = R"({"messages":[],"model":"model\u002d)" + std::to_string(t) + "\"}";
      for (int i = 0; i < 2000; ++i) {
        const BodyModel result = ExtractModel(body, 0);
        if (result.status != Status::kModel || result.model != expected) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// A body of exactly `size` bytes whose model is `model` (written as is, escapes and all).
std::string BodyOfSize(std::size_t size, std::string_view model) {
  const std::string head = R"({"model":")" + std::string(model) + R"(","messages":[{"content":")";
  const std::string tail = R"("}]})";
  EXPECT_GE(size, head.size() + tail.size());
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST(BodyModelTest, BodyLimit_AtTheLimitIsReadOneByteOverIsRefused) {
  const BodyLimit limit{1000, "body is larger than the max body size of 1000 bytes"};
  const std::string at = BodyOfSize(1000, "gpt-4o");
  const PaddedBody padded_at(at);
  for (std::size_t padding : {std::size_t{0}, kBodyPaddingBytes}) {
    const BodyModel ok = ExtractModel(padded_at.view(), padding, limit);
    EXPECT_EQ(ok.status, Status::kModel) << ok.reason;
    EXPECT_EQ(ok.model, "gpt-4o");
  }
  const std::string over = BodyOfSize(1001, "gpt-4o");
  const PaddedBody padded_over(over);
  for (std::size_t padding : {std::size_t{0}, kBodyPaddingBytes}) {
    const BodyModel refused = ExtractModel(padded_over.view(), padding, limit);
    EXPECT_EQ(refused.status, Status::kBadBody);
    EXPECT_EQ(refused.reason, limit.too_large_reason);
  }
}

// Over the limit nothing is parsed: malformed JSON gets the size reason, not a JSON one.
TEST(BodyModelTest, BodyLimit_ComesBeforeAnyParsing) {
  const BodyLimit limit{16, "too large"};
  for (std::string_view body : {std::string_view("{\"model\": \"a\", oops!!!!"),
                                std::string_view("\xff\xfe not even UTF-8 at all"),
                                std::string_view("[1, 2, 3, 4, 5, 6, 7, 8, 9]")}) {
    const BodyModel result = ExtractModel(body, 0, limit);
    EXPECT_EQ(result.status, Status::kBadBody);
    EXPECT_EQ(result.reason, "too large") << body;
  }
  EXPECT_EQ(ExtractModel("{\"model\": \"a\", oops", 0, BodyLimit{64, "too large"}).reason,
            "body is not valid JSON");
}

TEST(BodyModelTest, BodyLimit_DefaultIs64MiB) {
  EXPECT_EQ(BodyLimit().max_bytes, std::size_t{64} << 20);
  EXPECT_EQ(BodyLimit().too_large_reason, "body is larger than the max body size of 67108864 bytes");
}

// After a body larger than kBodyRetainedBytes, the thread keeps buffers for at most that
// many bytes, whichever path parsed it, and an escaped model is still returned intact.
TEST(BodyModelTest, Retention_ALargeBodyLeavesAtMostTheThreshold) {
  std::thread([] {
    const std::string escaped = BodyOfSize(3 * kBodyRetainedBytes + 17, R"(model\u002dlarge)");
    const std::string plain = BodyOfSize(3 * kBodyRetainedBytes + 5, "model-plain");
    const PaddedBody padded_escaped(escaped);
    const PaddedBody padded_plain(plain);
    for (std::size_t padding : {std::size_t{0}, kBodyPaddingBytes}) {
      const BodyModel decoded = ExtractModel(padded_escaped.view(), padding);
      ASSERT_EQ(decoded.status, Status::kModel) << decoded.reason;
      RetainedBodyCapacity kept = RetainedBodyCapacityForThisThread();
      EXPECT_LE(kept.parser, kBodyRetainedBytes) << "padding " << padding;
      EXPECT_LE(kept.copy, kBodyRetainedBytes) << "padding " << padding;
      EXPECT_LE(kept.model, kBodyRetainedBytes) << "padding " << padding;
      EXPECT_EQ(decoded.model, "model-large");  // read after the large buffers were freed

      const BodyModel in_body = ExtractModel(padded_plain.view(), padding);
      ASSERT_EQ(in_body.status, Status::kModel) << in_body.reason;
      EXPECT_EQ(in_body.model, "model-plain");
      EXPECT_TRUE(padded_plain.Contains(in_body.model));
      kept = RetainedBodyCapacityForThisThread();
      EXPECT_LE(kept.parser, kBodyRetainedBytes) << "padding " << padding;
      EXPECT_LE(kept.copy, kBodyRetainedBytes) << "padding " << padding;
    }
    // Bodies up to the threshold grow the thread's own buffers to at most the threshold.
    const std::string at_threshold = BodyOfSize(kBodyRetainedBytes, "m");
    const std::string just_under = BodyOfSize(kBodyRetainedBytes - 4096, "m");
    EXPECT_EQ(ExtractModel(just_under, 0).status, Status::kModel);
    EXPECT_EQ(ExtractModel(at_threshold, 0).status, Status::kModel);
    const RetainedBodyCapacity kept = RetainedBodyCapacityForThisThread();
    EXPECT_EQ(kept.parser, kBodyRetainedBytes);
    EXPECT_EQ(kept.copy, kBodyRetainedBytes);
  }).join();
}

// A decoded model longer than the threshold is kept only until the thread's next call.
TEST(BodyModelTest, Retention_ALargeDecodedModelIsReleasedByTheNextCall) {
  std::thread([] {
    std::string model(2 * kBodyRetainedBytes, 'm');
    model += "\\u0021";
    const std::string body = BodyOfSize(model.size() + 100, model);
    const BodyModel decoded = ExtractModel(body, 0);
    ASSERT_EQ(decoded.status, Status::kModel) << decoded.reason;
    EXPECT_EQ(decoded.model.size(), 2 * kBodyRetainedBytes + 1);
    EXPECT_EQ(decoded.model.back(), '!');
    EXPECT_EQ(ExtractModel(R"({"model":"small"})", 0).model, "small");
    EXPECT_LE(RetainedBodyCapacityForThisThread().model, kBodyRetainedBytes);
  }).join();
}

}  // namespace
}  // namespace llmroute::internal
