// Reads the top-level "model" of a JSON request body: simdjson's stage 1, then a grammar
// check of our own over the token positions it finds.
//
// Stage 1 (the implementation simdjson picks for this CPU at run time) validates the UTF-8
// of the whole body, refuses control characters inside strings and unclosed strings, and
// records where every token starts, at several GB/s. A state machine then walks those
// positions once: every comma, colon and bracket, every number and literal by its text,
// nesting kept as a bit per level. The escapes of all strings are checked beforehand in one
// pass over the body (32 bytes at a time with AVX2), so a string token costs no more than a
// comma. No value is materialised; only the model and the wanted affinity fields are
// decoded, and only when they hold escapes. So the cost is about three passes over the
// bytes, whatever the model's position.
//
// Why not simdjson's own layers on top of stage 1:
//   - On-Demand: its navigation is compiled only for the implementation chosen at build
//     time (often the generic scalar one), and costs several ns per token; and its
//     skipping of unread values only counts brackets loosely (`:` opens, `]` closes a `{`),
//     so it accepts bodies like {"a"::{"b":1}],"model":"x"}.
//   - DOM: it writes a tape of every value and parses every number, refusing numbers that
//     JSON allows (too large for a double), and costs about as much again.
// This relies on simdjson's implementation layer (dom_parser_implementation, stage1,
// structural_indexes), stable within major version 3 (checked below).
#include "body/model_extractor.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string_view>

#include "llmroute/request.h"
#include "text/hex.h"
#include "text/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace llmroute::internal {
namespace {

static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3,
              "the stage-1 layer (simdjson::internal::dom_parser_implementation) is used as in "
              "simdjson 3; check its interface before building with another major version");

static_assert(kBodyPaddingBytes == simdjson::SIMDJSON_PADDING,
              "kBodyPaddingBytes must promise exactly the padding simdjson reads past the end");

static_assert(kMaxBodySizeLimit == simdjson::SIMDJSON_MAXSIZE_BYTES,
              "the largest max_body_size is the largest document simdjson indexes");

using Indexer = simdjson::internal::dom_parser_implementation;

// Containers nested deeper than this (the body's object counts as one) are refused, as
// simdjson's own DOM parser does.
constexpr std::size_t kMaxNesting = simdjson::DEFAULT_MAX_DEPTH;

// The first index and copy buffers are sized for ordinary chat requests, so they are
// allocated once; decoded strings start smaller.
constexpr std::size_t kMinCapacity = 64 * 1024;
constexpr std::size_t kMinDecodedCapacity = 256;

constexpr std::string_view kNotJson = "body is not valid JSON";
constexpr std::string_view kTooLarge = "body is too large";

// What a thread keeps of the buffer of each affinity field: all of them together, as much
// as of the model's.
constexpr std::size_t kFieldRetainedBytes = kBodyRetainedBytes / kMaxAffinityBodyFields;

// A growable buffer for the decoded text of one escaped string.
struct Decoded {
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
};

// What a thread keeps between calls: about 4 + 1 + 1 + 1 times kBodyRetainedBytes at most.
struct ThreadState {
  // Stage 1's token positions (4 bytes per body byte); capacity at most kBodyRetainedBytes.
  std::unique_ptr<Indexer> indexer;
  // The copy of an unpadded body, followed by SIMDJSON_PADDING spare bytes.
  std::unique_ptr<char[]> copy;
  std::size_t copy_capacity = 0;  // bytes available for a body, padding excluded
  // The last escaped model and affinity values, decoded; valid until the next call. Kept
  // up to kBodyRetainedBytes and kFieldRetainedBytes; a larger one is freed by the next call.
  Decoded model;
  Decoded fields[kMaxAffinityBodyFields];
};

ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

// Grows geometrically so that a series of slightly larger bodies reallocates rarely.
std::size_t GrownCapacity(std::size_t current, std::size_t needed, std::size_t minimum) {
  return std::max({needed, current + current / 2, minimum});
}

BodyModel BadBody(std::string_view reason) { return {BodyModel::Status::kBadBody, {}, reason}; }

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The UTF-16 code unit written as four hex digits at `digits`, or -1. Stops at the first
// non-digit, so it never reads past a string's closing quote.
int ReadHexCodeUnit(const char* digits) {
  int unit = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = HexDigitValue(digits[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

// The characters that may follow a backslash, but for 'u'.
[[maybe_unused]] bool IsSimpleEscapeCharacter(char c) {
  switch (c) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      return true;
    default:
      return false;
  }
}

// Which bytes are hexadecimal digits.
constexpr auto kIsHexDigit = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  return table;
}();

// Four hexadecimal digits at `digits` (four readable bytes).
inline bool IsFourHexDigits(const char* digits) {
  const auto* d = reinterpret_cast<const unsigned char*>(digits);
  return kIsHexDigit[d[0]] & kIsHexDigit[d[1]] & kIsHexDigit[d[2]] & kIsHexDigit[d[3]];
}

// A backslash at `at` (within [begin, end)) followed by something other than a simple escape
// character is valid if it starts a \uXXXX escape, or if it is itself escaped.
inline bool IsValidUnusualBackslash(const char* begin, const char* at, const char* end) {
  if (at[1] == 'u' && end - at >= 6 && IsFourHexDigits(at + 2)) return true;
  std::size_t preceding_backslashes = 0;
  for (const char* q = at; q > begin && q[-1] == '\\'; --q) ++preceding_backslashes;
  return preceding_backslashes % 2 == 1;
}

// The content of a string has only valid escapes. Stage 1 has already refused raw control
// characters and invalid UTF-8. `content` must be followed by its closing quote and at
// least 32 more readable bytes (the body's padding guarantees them).
//
// Prose has an escape ("\n", "\"") every few dozen bytes. A backslash followed by a simple
// escape character is valid whether or not it is escaped itself, so that is checked 16 bytes
// at a time; only the rare others (\u, or a backslash that is itself escaped) need a look.
#if defined(__x86_64__) && defined(__GNUC__)
#define LLMROUTE_BODY_AVX2 1
// As HasValidEscapes, 32 bytes at a time (chat bodies are mostly strings, so this is most
// of the time after stage 1). Called only when the CPU has AVX2.
__attribute__((target("avx2"))) bool HasValidEscapesAvx2(const char* begin, const char* end) {
  // A byte is a simple escape character (" \ / b f n r t) when the bits its low and its
  // high nibble select have one in common.
  const __m256i low_table = _mm256_setr_epi8(
      0, 0, 0x0D, 0, 0x08, 0, 0x04, 0, 0, 0, 0, 0, 0x02, 0, 0x04, 0x01,
      0, 0, 0x0D, 0, 0x08, 0, 0x04, 0, 0, 0, 0, 0, 0x02, 0, 0x04, 0x01);
  const __m256i high_table = _mm256_setr_epi8(
      0, 0, 0x01, 0, 0, 0x02, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0x01, 0, 0, 0x02, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i backslash = _mm256_set1_epi8('\\');
  for (const char* p = begin; p < end; p += 32) {
    const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    unsigned backslashes =
        static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(chunk, backslash)));
    if (end - p < 32) backslashes &= (1u << (end - p)) - 1;
    const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
    const __m256i low = _mm256_shuffle_epi8(low_table, _mm256_and_si256(next, nibble));
    const __m256i high =
        _mm256_shuffle_epi8(high_table, _mm256_and_si256(_mm256_srli_epi16(next, 4), nibble));
    const __m256i not_simple =
        _mm256_cmpeq_epi8(_mm256_and_si256(low, high), _mm256_setzero_si256());
    unsigned unusual = backslashes & static_cast<unsigned>(_mm256_movemask_epi8(not_simple));
    for (; unusual != 0; unusual &= unusual - 1) {
      if (!IsValidUnusualBackslash(begin, p + __builtin_ctz(unusual), end)) return false;
    }
  }
  return true;
}

const bool kHasAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();
#endif

inline bool HasValidEscapes(std::string_view content) {
  const char* const begin = content.data();
  const char* const end = begin + content.size();
#if defined(__SSE2__)
  // Most keys and many values are short and unescaped: one load, no call.
  if (content.size() < 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(begin));
    const unsigned backslashes =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))));
    if ((backslashes & ((1u << content.size()) - 1)) == 0) return true;
  }
#endif
#if defined(LLMROUTE_BODY_AVX2)
  if (kHasAvx2) return HasValidEscapesAvx2(begin, end);
#endif
#if defined(__SSE2__)
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i slash = _mm_set1_epi8('/');
  const __m128i b = _mm_set1_epi8('b');
  const __m128i f = _mm_set1_epi8('f');
  const __m128i n = _mm_set1_epi8('n');
  const __m128i r = _mm_set1_epi8('r');
  const __m128i t = _mm_set1_epi8('t');
  for (const char* p = begin; p < end; p += 16) {
    // The last chunk reads past the content (into the body or its padding): bits for
    // bytes beyond `end` are dropped.
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned backslashes =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, backslash)));
    if (end - p < 16) backslashes &= (1u << (end - p)) - 1;
    // The byte after each one. Computed whether or not the chunk has a backslash: in prose
    // that branch would be a coin toss.
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    const __m128i simple = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(next, backslash), _mm_cmpeq_epi8(next, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(next, slash), _mm_cmpeq_epi8(next, b))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(next, f), _mm_cmpeq_epi8(next, n)),
                     _mm_or_si128(_mm_cmpeq_epi8(next, r), _mm_cmpeq_epi8(next, t))));
    unsigned unusual = backslashes & ~static_cast<unsigned>(_mm_movemask_epi8(simple));
    for (; unusual != 0; unusual &= unusual - 1) {
      if (!IsValidUnusualBackslash(begin, p + __builtin_ctz(unusual), end)) return false;
    }
  }
#else
  for (const char* p = begin; p < end; ++p) {
    if (*p == '\\' && !IsSimpleEscapeCharacter(p[1]) && !IsValidUnusualBackslash(begin, p, end)) {
      return false;
    }
  }
#endif
  return true;
}

// Decoded keys longer than this match no name (the model, or an affinity body field).
constexpr std::size_t kMaxKeyBytes = kMaxAffinityBodyFieldBytes > 8 ? kMaxAffinityBodyFieldBytes : 8;

// Reads a key from just after its opening quote to its closing quote: false when an escape
// is malformed. Otherwise `*key` is the decoded key (a view of `raw`, or of `buffer` when
// it had escapes), or a null view when it cannot equal any name: longer than kMaxKeyBytes,
// or not ASCII. Decoding goes on to the quote, so every key's escapes are checked.
bool ReadKey(const char* raw, char (&buffer)[kMaxKeyBytes], std::string_view* key) {
#if defined(__SSE2__)
  // Most keys are short and unescaped. Reading 16 bytes is safe: a key ends before the body
  // does, and SIMDJSON_PADDING (64) readable bytes follow the body.
  const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(raw));
  const unsigned quotes =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"'))));
  const unsigned backslashes =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))));
  // Only the bits below the first quote matter (quotes & -quotes isolates it).
  if (quotes != 0 && (backslashes & ((quotes & -quotes) - 1)) == 0) {
    *key = std::string_view(raw, __builtin_ctz(quotes));
    return true;
  }
#endif
  std::size_t length = 0;
  bool matchable = true;
  for (const char* p = raw; *p != '"';) {
    int unit;  // the decoded UTF-16 code unit, or a byte of raw UTF-8
    if (*p != '\\') {
      unit = static_cast<unsigned char>(*p++);
    } else {
      switch (p[1]) {
        case '"': case '\\': case '/': unit = p[1]; break;
        case 'b': unit = '\b'; break;
        case 'f': unit = '\f'; break;
        case 'n': unit = '\n'; break;
        case 'r': unit = '\r'; break;
        case 't': unit = '\t'; break;
        case 'u':
          unit = ReadHexCodeUnit(p + 2);
          if (unit < 0) return false;
          p += 4;
          break;
        default:
          return false;
      }
      p += 2;
    }
    // Names are ASCII: a key with any other character equals none of them.
    if (unit > 0x7F || length == kMaxKeyBytes) {
      matchable = false;
    } else if (matchable) {
      buffer[length++] = static_cast<char>(unit);
    }
  }
  *key = matchable ? std::string_view(buffer, length) : std::string_view();
  return true;
}

// Only called once Unescape has refused `raw` (the bytes between the quotes): tells
// a lone surrogate (well-formed JSON, but not Unicode) from a malformed escape.
std::string_view DecodeFailureReason(std::string_view raw) {
  auto code_unit_at = [raw](std::size_t at) {
    if (at + 6 > raw.size() || raw[at] != '\\' || raw[at + 1] != 'u') return -1;
    return ReadHexCodeUnit(raw.data() + at + 2);
  };
  for (std::size_t i = 0; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') continue;
    const int unit = code_unit_at(i);
    if (unit < 0) {
      ++i;  // skips the escaped character, e.g. the 2nd backslash of "\\"
      continue;
    }
    if (IsHighSurrogate(static_cast<std::uint32_t>(unit))) {
      const int next = code_unit_at(i + 6);
      if (next < 0 || !IsLowSurrogate(static_cast<std::uint32_t>(next))) return "model is not valid Unicode";
      i += 6;  // the pair
    } else if (IsLowSurrogate(static_cast<std::uint32_t>(unit))) {
      return "model is not valid Unicode";
    }
    i += 5;
  }
  return "model is not a valid JSON string";
}

// Decodes a string's content (the bytes between its quotes: valid UTF-8, followed by the
// closing quote) into `out`, which has room for content.size() bytes (decoding never
// lengthens). Returns the end of the decoded text, or null when an escape is malformed or
// a \u escape is a surrogate that is not a high one followed by an escaped low one.
char* Unescape(std::string_view content, char* out) {
  const char* p = content.data();
  const char* const end = p + content.size();
  while (p < end) {
    const char* backslash = static_cast<const char*>(std::memchr(p, '\\', end - p));
    if (backslash == nullptr) backslash = end;
    std::memcpy(out, p, backslash - p);
    out += backslash - p;
    p = backslash;
    if (p == end) break;
    // p[1] is at most the closing quote, and a \u escape's digits stop at it.
    switch (p[1]) {
      case '"': case '\\': case '/': *out++ = p[1]; break;
      case 'b': *out++ = '\b'; break;
      case 'f': *out++ = '\f'; break;
      case 'n': *out++ = '\n'; break;
      case 'r': *out++ = '\r'; break;
      case 't': *out++ = '\t'; break;
      case 'u': {
        const int unit = ReadHexCodeUnit(p + 2);
        if (unit < 0) return nullptr;
        p += 6;
        std::uint32_t code_point = static_cast<std::uint32_t>(unit);
        if (IsHighSurrogate(code_point)) {
          if (p[0] != '\\' || p[1] != 'u') return nullptr;
          const int low = ReadHexCodeUnit(p + 2);
          if (low < 0 || !IsLowSurrogate(static_cast<std::uint32_t>(low))) return nullptr;
          code_point = CodePointOfSurrogates(code_point, static_cast<std::uint32_t>(low));
          p += 6;
        } else if (IsLowSurrogate(code_point)) {
          return nullptr;
        }
        out = WriteUtf8(code_point, out);
        continue;
      }
      default:
        return nullptr;
    }
    p += 2;
  }
  return out;
}

// A number or literal, by its text (trailing whitespace removed).
bool IsValidScalar(std::string_view token) {
  switch (token.front()) {
    case 't': case 'f':
      return token == "true" || token == "false";
    case 'n':
      return token == "null";
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      break;
    default:
      return false;
  }
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; a number of any size is valid JSON.
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < token.size() && token[i] >= '0' && token[i] <= '9') ++i;
    return i - start;
  };
  if (token[i] == '-') ++i;
  if (i < token.size() && token[i] == '0') {
    ++i;
  } else if (i == token.size() || token[i] < '1' || token[i] > '9' || digits() == 0) {
    return false;
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == token.size();
}

// The body's tokens, as stage 1 indexed them.
struct Tokens {
  const char* json;           // the bytes indexed: the body, or its copy
  const std::uint32_t* at;    // where each token starts; at[count] is the body's length
  std::uint32_t count;
  // Every backslash in the indexed bytes that is not itself escaped starts a valid escape
  // (checked in one pass, 32 bytes at a time): then no string needs its own check.
  bool escapes_valid;

  char First(std::uint32_t i) const { return json[at[i]]; }

  // Token i runs up to the next one: without its trailing whitespace.
  std::string_view Text(std::uint32_t i) const {
    const char* const begin = json + at[i];
    const char* end = json + at[i + 1];
    while (end > begin && IsJsonWhitespace(end[-1])) --end;
    return std::string_view(begin, static_cast<std::size_t>(end - begin));
  }

  // Token i, which starts with a quote: false unless it also ends with one. Otherwise
  // `*content` is what lies between them.
  bool StringContent(std::uint32_t i, std::string_view* content) const {
    const std::string_view token = Text(i);
    if (token.size() < 2 || token.back() != '"') return false;
    *content = token.substr(1, token.size() - 2);
    return true;
  }

  // Token i is a key followed by a colon, and its escapes are well-formed (what ReadKey
  // checks, without decoding).
  bool IsNestedKey(std::uint32_t i) const {
    return i + 1 < count && First(i) == '"' && First(i + 1) == ':' && IsValidString(i);
  }

  // Token i, which starts with a quote, is a well-formed string. Stage 1 has found its
  // closing quote and made whatever follows it (but whitespace) a token of its own, so
  // when the escapes of the whole body are valid, there is nothing left to check.
  bool IsValidString(std::uint32_t i) const {
    std::string_view content;
    return escapes_valid || (StringContent(i, &content) && HasValidEscapes(content));
  }

  // A string's content (see StringContent) has only valid escapes.
  bool HasValidStringEscapes(std::string_view content) const {
    return escapes_valid || HasValidEscapes(content);
  }

  // Token i is a key followed by a colon, and its escapes are well-formed.
  bool IsKey(std::uint32_t i, char (&buffer)[kMaxKeyBytes], std::string_view* key) const {
    return i + 1 < count && First(i) == '"' && First(i + 1) == ':' &&
           ReadKey(json + at[i] + 1, buffer, key);
  }
};

// Checks the grammar of the value at token `*position` and everything in it, iteratively (a
// deep body cannot exhaust the stack), and moves `*position` past it. Returns an empty
// reason when it is well-formed.
std::string_view CheckValue(const Tokens& tokens, std::uint32_t* position) {
  // Bit d is set when the container open at depth d inside the value is an array.
  std::uint64_t in_array[kMaxNesting / 64] = {};
  std::size_t open = 0;
  std::uint32_t i = *position;
  const std::uint32_t count = tokens.count;
  bool array = false;  // the innermost open container is an array
  char c;

value:
  if (i >= count) return kNotJson;
  c = tokens.First(i);
  if (c == '{' || c == '[') {
    // +1 for the body's object, +1 for this one.
    if (open + 2 > kMaxNesting) return "body is nested too deeply";
    array = c == '[';
    const std::uint64_t bit = std::uint64_t{1} << (open % 64);
    in_array[open / 64] = array ? in_array[open / 64] | bit : in_array[open / 64] & ~bit;
    ++open;
    ++i;
    if (i < count && tokens.First(i) == (array ? ']' : '}')) {  // empty
      ++i;
      goto close;
    }
    if (array) goto value;
    goto key;
  }
  if (c == '"') {
    if (!tokens.IsValidString(i)) return kNotJson;
  } else if (!IsValidScalar(tokens.Text(i))) {
    return kNotJson;
  }
  ++i;

next:
  if (open == 0) {
    *position = i;
    return {};
  }
  if (i >= count) return kNotJson;
  c = tokens.First(i++);
  if (c == ',') {
    if (array) goto value;
    goto key;
  }
  if (c != (array ? ']' : '}')) return kNotJson;

close:
  --open;
  if (open != 0) array = (in_array[(open - 1) / 64] >> ((open - 1) % 64)) & 1;
  goto next;

key:
  if (!tokens.IsNestedKey(i)) return kNotJson;
  i += 2;
  goto value;
}

// Room for `size` bytes in `buffer`, grown geometrically (but not past `kept`, what a thread
// keeps of it, when `size` is within it); null when it cannot be allocated.
char* Reserve(Decoded& buffer, std::size_t size, std::size_t kept) {
  if (size > buffer.capacity) {
    std::size_t capacity = GrownCapacity(buffer.capacity, size, kMinDecodedCapacity);
    if (size <= kept) capacity = std::min(capacity, kept);
    buffer.data.reset(new (std::nothrow) char[capacity]);
    buffer.capacity = buffer.data ? capacity : 0;
    if (!buffer.data) return nullptr;
  }
  return buffer.data.get();
}

// Frees `buffer` when it is larger than a thread keeps of it.
void ReleaseIfLarge(Decoded& buffer, std::size_t kept) {
  if (buffer.capacity > kept) buffer = Decoded();
}

// The model string at token i. `body` is the caller's copy of tokens.json, so that an
// unescaped model is a view of `body`; an escaped one is decoded into `decoded`.
BodyModel ReadModelString(const Tokens& tokens, std::uint32_t i, std::string_view body,
                          Decoded& decoded) {
  std::string_view content;
  if (!tokens.StringContent(i, &content)) return BadBody(kNotJson);
  if (std::memchr(content.data(), '\\', content.size()) == nullptr) {
    // Stage 1 checked the UTF-8 and refused control characters, so these bytes are the model.
    const std::size_t offset = static_cast<std::size_t>(content.data() - tokens.json);
    return {BodyModel::Status::kModel, body.substr(offset, content.size()), {}};
  }
  char* const out = Reserve(decoded, content.size(), kBodyRetainedBytes);
  if (out == nullptr) return BadBody(kTooLarge);
  const char* const end = Unescape(content, out);
  if (end == nullptr) return BadBody(DecodeFailureReason(content));
  return {BodyModel::Status::kModel, std::string_view(out, static_cast<std::size_t>(end - out)), {}};
}

// An affinity field's string at token i: a view of `body` when it has no escapes, else
// decoded into `decoded`. A string that does not decode (a lone surrogate) is no key:
// affinity never refuses a request. Returns a bad-body reason, or an empty one.
std::string_view ReadFieldString(const Tokens& tokens, std::uint32_t i, std::string_view body,
                                 Decoded& decoded, std::string_view* out) {
  std::string_view content;
  if (!tokens.StringContent(i, &content)) return kNotJson;
  if (std::memchr(content.data(), '\\', content.size()) == nullptr) {
    *out = body.substr(static_cast<std::size_t>(content.data() - tokens.json), content.size());
    return {};
  }
  if (!tokens.HasValidStringEscapes(content)) return kNotJson;
  char* const buffer = Reserve(decoded, content.size(), kFieldRetainedBytes);
  if (buffer == nullptr) return kTooLarge;
  const char* const end = Unescape(content, buffer);
  *out = end == nullptr ? std::string_view()
                        : std::string_view(buffer, static_cast<std::size_t>(end - buffer));
  return {};
}

// Checks the whole body's grammar while reading its top-level members.
BodyModel ReadObject(const Tokens& tokens, std::string_view body, ThreadState& state,
                     std::span<const std::string_view> fields, std::string_view* field_values) {
  const std::uint32_t count = tokens.count;  // at least 1
  if (tokens.First(0) != '{') return BadBody("body is not a JSON object");
  if (tokens.First(count - 1) != '}') return BadBody(kNotJson);  // truncated, or trailing data

  BodyModel result{BodyModel::Status::kNoModel, {}, {}};
  bool seen_model = false;
  std::uint32_t i = 1;
  if (tokens.First(i) == '}') {  // empty; count >= 2 since the first token is not '}'
    ++i;
  } else {
    // Every member is visited: a second "model" must be seen, and every value checked.
    for (;;) {
      // Compared decoded, because a backend's parser reads "\u006dodel" as "model".
      char buffer[kMaxKeyBytes];
      std::string_view key;
      if (!tokens.IsKey(i, buffer, &key)) return BadBody(kNotJson);
      const bool is_model = key == "model";
      // An affinity field (the last of repeated ones, as most JSON parsers read it).
      std::size_t field_index = fields.size();
      for (std::size_t f = 0; f < fields.size(); ++f) {
        if (key.data() != nullptr && key == fields[f]) field_index = f;
      }
      if (is_model) {
        // Two backends could disagree on which of two "model" members wins.
        if (seen_model) return BadBody("duplicated top-level \"model\"");
        seen_model = true;
      }
      i += 2;
      if (i >= count) return BadBody(kNotJson);
      const bool is_string = tokens.First(i) == '"';
      if (is_model && is_string) {
        result = ReadModelString(tokens, i, body, state.model);
        if (result.status == BodyModel::Status::kBadBody) return result;
        if (field_index < fields.size()) field_values[field_index] = result.model;
        ++i;
      } else if (field_index < fields.size() && is_string) {
        const std::string_view reason = ReadFieldString(tokens, i, body, state.fields[field_index],
                                                        &field_values[field_index]);
        if (!reason.empty()) return BadBody(reason);
        ++i;
      } else {
        // A "model" of another type means no model; it is checked like any other value. An
        // affinity field of another type after a string one: the last one counts, so no key.
        if (field_index < fields.size()) field_values[field_index] = {};
        const std::string_view reason = CheckValue(tokens, &i);
        if (!reason.empty()) return BadBody(reason);
      }
      if (i >= count) return BadBody(kNotJson);
      const char after = tokens.First(i++);
      if (after == '}') break;
      if (after != ',') return BadBody(kNotJson);
    }
  }
  // The object is closed; any token left after it is a second document or garbage.
  if (i < count) return BadBody("body has data after the JSON object");
  return result;
}

// Indexes `body` with `indexer`, whose capacity is at least body.size(), and reads it.
// `copy`: null when `padding` suffices, otherwise room for body.size() + SIMDJSON_PADDING
// bytes.
BodyModel Parse(Indexer& indexer, char* copy, std::string_view body, ThreadState& state,
                std::span<const std::string_view> fields, std::string_view* field_values) {
  // Stage 1 and the walk read up to SIMDJSON_PADDING bytes past the end (whatever they
  // hold). Without them the body is copied into a buffer that has them.
  const char* json = body.data();
  if (copy != nullptr) {
    std::memcpy(copy, body.data(), body.size());
    json = copy;
  }
  switch (indexer.stage1(reinterpret_cast<const std::uint8_t*>(json), body.size(),
                         simdjson::stage1_mode::regular)) {
    case simdjson::SUCCESS:
      break;
    case simdjson::EMPTY:
      return BadBody("body is empty");
    case simdjson::UTF8_ERROR:
      return BadBody("body is not valid UTF-8");
    case simdjson::UNESCAPED_CHARS:
      return BadBody("body has a control character inside a string");
    default:  // an unclosed string
      return BadBody(kNotJson);
  }
  // Stage 1 ends the index with the body's length too; Tokens::Text relies on it. The array
  // has room for it (capacity + 2 entries at least).
  indexer.structural_indexes[indexer.n_structural_indexes] = static_cast<std::uint32_t>(body.size());
  const Tokens tokens{json, indexer.structural_indexes.get(), indexer.n_structural_indexes,
                      HasValidEscapes(std::string_view(json, body.size()))};
  return ReadObject(tokens, body, state, fields, field_values);
}

// A new indexer for bodies up to `capacity` bytes, or null.
std::unique_ptr<Indexer> NewIndexer(std::size_t capacity) {
  std::unique_ptr<Indexer> indexer;
  if (simdjson::get_active_implementation()->create_dom_parser_implementation(
          capacity, kMaxNesting, indexer) != simdjson::SUCCESS) {
    return nullptr;
  }
  return indexer;
}

}  // namespace

BodyModel ExtractModel(std::string_view body, std::size_t padding, const BodyLimit& limit,
                       std::span<const std::string_view> fields, std::string_view* field_values) {
  // Before anything else: a body over the limit is neither parsed nor copied.
  if (body.size() > limit.max_bytes) return BadBody(limit.too_large_reason);
  if (body.empty()) return BadBody("body is empty");
  ThreadState& state = State();
  // The previous call's large decoded strings are no longer promised to anyone.
  ReleaseIfLarge(state.model, kBodyRetainedBytes);
  for (Decoded& field : state.fields) ReleaseIfLarge(field, kFieldRetainedBytes);
  const bool padded = padding >= simdjson::SIMDJSON_PADDING;

  if (body.size() <= kBodyRetainedBytes) {
    // The thread's own buffers, grown geometrically but never past the threshold.
    const std::size_t indexed = state.indexer ? state.indexer->capacity() : 0;
    if (body.size() > indexed) {
      const std::size_t capacity =
          std::min(GrownCapacity(indexed, body.size(), kMinCapacity), kBodyRetainedBytes);
      if (state.indexer == nullptr) {
        state.indexer = NewIndexer(capacity);
        if (state.indexer == nullptr) return BadBody(kTooLarge);
      } else if (state.indexer->set_capacity(capacity) != simdjson::SUCCESS) {
        state.indexer = nullptr;
        return BadBody(kTooLarge);
      }
    }
    if (!padded && body.size() > state.copy_capacity) {
      const std::size_t capacity =
          std::min(GrownCapacity(state.copy_capacity, body.size(), kMinCapacity), kBodyRetainedBytes);
      state.copy.reset(new (std::nothrow) char[capacity + simdjson::SIMDJSON_PADDING]);
      state.copy_capacity = state.copy ? capacity : 0;
      if (!state.copy) return BadBody(kTooLarge);
    }
    return Parse(*state.indexer, padded ? nullptr : state.copy.get(), body, state, fields,
                 field_values);
  }

  // A large body: an indexer and a copy of its own, freed when this call returns. Decoded
  // strings are in the thread's buffers, released by its next call if larger than it keeps.
  const std::unique_ptr<Indexer> indexer = NewIndexer(body.size());
  if (indexer == nullptr) return BadBody(kTooLarge);
  std::unique_ptr<char[]> copy;
  if (!padded) {
    copy.reset(new (std::nothrow) char[body.size() + simdjson::SIMDJSON_PADDING]);
    if (!copy) return BadBody(kTooLarge);
  }
  return Parse(*indexer, copy.get(), body, state, fields, field_values);
}

RetainedBodyCapacity RetainedBodyCapacityForThisThread() {
  const ThreadState& state = State();
  return {state.indexer ? state.indexer->capacity() : 0, state.copy_capacity,
          state.model.capacity};
}

}  // namespace llmroute::internal
