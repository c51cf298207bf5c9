// Reads the top-level "model" of a JSON request body with simdjson On-Demand.
//
// Stage 1 of simdjson (run by `iterate`) validates the UTF-8 of the whole body, refuses
// control characters inside strings and indexes every token at several GB/s. The body is
// then walked token by token to check its grammar, without materialising any value: the
// walk touches each token once, and a chat request's bytes are mostly long strings, whose
// escapes are checked 16 bytes at a time. So the cost is about two passes over the bytes,
// whatever the model's position.
//
// Why walk instead of letting On-Demand skip the values we do not need: its skipping only
// counts brackets loosely (`:` opens, `]` closes a `{`), so it accepts bodies like
// {"a"::{"b":1}],"model":"x"}, and whether it notices a missing closing brace depends on
// the bytes after the body (it checks the balance only when the first padding byte is '}').
#include "body/model_extractor.h"

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "llmroute/request.h"
#include "text/hex.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace llmroute::internal {
namespace {

static_assert(kBodyPaddingBytes == simdjson::SIMDJSON_PADDING,
              "kBodyPaddingBytes must promise exactly the padding simdjson reads past the end");

using simdjson::ondemand::json_type;

// Containers nested deeper than this (the body's object counts as one) are refused, as
// simdjson's own DOM parser does.
constexpr std::size_t kMaxNesting = simdjson::DEFAULT_MAX_DEPTH;

// The first buffers are sized for ordinary chat requests, so they are allocated once.
constexpr std::size_t kMinCapacity = 64 * 1024;

constexpr std::string_view kNotJson = "body is not valid JSON";

// An open object or array inside a top-level value, during the walk.
struct Cursor {
  bool is_object = false;
  bool started = false;  // a member was visited: the next step moves past it first
  simdjson::ondemand::object_iterator field;
  simdjson::ondemand::array_iterator element;
};

static_assert(kMaxBodySizeLimit == simdjson::SIMDJSON_MAXSIZE_BYTES,
              "the largest max_body_size is the largest document simdjson parses");

// What a thread keeps between calls, bounded by kBodyRetainedBytes (but `cursors`, bounded
// by the nesting limit).
struct ThreadState {
  simdjson::ondemand::parser parser;  // capacity at most kBodyRetainedBytes
  // The copy of an unpadded body, followed by SIMDJSON_PADDING spare bytes.
  std::unique_ptr<char[]> copy;
  std::size_t copy_capacity = 0;  // bytes available for a body, padding excluded
  // The decoded model of the last body larger than kBodyRetainedBytes (its parser is gone).
  std::string model;
  // Likewise its decoded affinity keys.
  std::string fields[kMaxAffinityBodyFields];
  // One per nesting level reached so far; grows only when a deeper body arrives.
  std::vector<Cursor> cursors;
};

ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

// Grows geometrically so that a series of slightly larger bodies reallocates rarely.
std::size_t GrownCapacity(std::size_t current, std::size_t needed) {
  return std::max({needed, current + current / 2, kMinCapacity});
}

BodyModel BadBody(std::string_view reason) { return {BodyModel::Status::kBadBody, {}, reason}; }

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A scalar's raw token runs up to the next token, so it may end with whitespace.
std::string_view TrimTrailingWhitespace(std::string_view token) {
  while (!token.empty() && IsJsonWhitespace(token.back())) token.remove_suffix(1);
  return token;
}


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
bool IsSimpleEscapeCharacter(char c) {
  switch (c) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      return true;
    default:
      return false;
  }
}

// A backslash at `at` (within [begin, end)) followed by something other than a simple escape
// character is valid if it is itself escaped, or if it starts a \uXXXX escape.
bool IsValidUnusualBackslash(const char* begin, const char* at, const char* end) {
  std::size_t preceding_backslashes = 0;
  for (const char* q = at; q > begin && q[-1] == '\\'; --q) ++preceding_backslashes;
  if (preceding_backslashes % 2 == 1) return true;
  return at[1] == 'u' && end - at >= 6 && ReadHexCodeUnit(at + 2) >= 0;
}

// The content of a string has only valid escapes. Stage 1 has already refused raw control
// characters and invalid UTF-8. `content` must be followed by its closing quote.
//
// Prose has an escape ("\n", "\"") every few dozen bytes. A backslash followed by a simple
// escape character is valid whether or not it is escaped itself, so that is checked 16 bytes
// at a time; only the rare others (\u, or a backslash that is itself escaped) need a look.
bool HasValidEscapes(std::string_view content) {
  const char* const begin = content.data();
  const char* const end = begin + content.size();
  const char* p = begin;
#if defined(__SSE2__)
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i slash = _mm_set1_epi8('/');
  const __m128i b = _mm_set1_epi8('b');
  const __m128i f = _mm_set1_epi8('f');
  const __m128i n = _mm_set1_epi8('n');
  const __m128i r = _mm_set1_epi8('r');
  const __m128i t = _mm_set1_epi8('t');
  for (; end - p >= 16; p += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned backslashes =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, backslash)));
    // The byte after each one; the last load reads the closing quote at most. Computed
    // whether or not the chunk has a backslash: in prose that branch would be a coin toss.
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
#endif
  for (; p < end; ++p) {
    if (*p == '\\' && !IsSimpleEscapeCharacter(p[1]) && !IsValidUnusualBackslash(begin, p, end)) {
      return false;
    }
  }
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

// Checks a scalar by the shape of its token. Strings are consumed; numbers and literals are
// left for the enclosing iterator to skip, which moves exactly one token.
bool CheckScalar(json_type type, simdjson::ondemand::value& value) {
  const std::string_view token = TrimTrailingWhitespace(value.raw_json_token());
  switch (type) {
    case json_type::string: {
      if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
      if (!HasValidEscapes(token.substr(1, token.size() - 2))) return false;
      // Consumed here: skipping an unread string that is followed by ':' would swallow the
      // colon as if the string were a key.
      simdjson::ondemand::raw_json_string unused;
      return value.get_raw_json_string().get(unused) == simdjson::SUCCESS;
    }
    case json_type::number: {
      // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; a number of any size is valid JSON.
      std::size_t i = 0;
      auto digits = [&] {
        const std::size_t start = i;
        while (i < token.size() && token[i] >= '0' && token[i] <= '9') ++i;
        return i - start;
      };
      if (i < token.size() && token[i] == '-') ++i;
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
    case json_type::boolean:
      return token == "true" || token == "false";
    case json_type::null:
      return token == "null";
    default:
      return false;
  }
}

// simdjson's iterators compare only their left side (is it still open), so any end will do.
bool HasMore(simdjson::ondemand::object_iterator& it) {
  return it != simdjson::ondemand::object_iterator();
}
bool HasMore(simdjson::ondemand::array_iterator& it) {
  return it != simdjson::ondemand::array_iterator();
}

// Checks the grammar of a top-level member's value and everything in it, iteratively (a
// deep body cannot exhaust the stack). Returns an empty reason when it is well-formed.
std::string_view CheckValue(simdjson::ondemand::value value, std::vector<Cursor>& cursors) {
  std::size_t open = 0;  // containers open inside `value`
  for (;;) {
    json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return kNotJson;
    if (type == json_type::object || type == json_type::array) {
      // +1 for the body's object, +1 for this one.
      if (open + 2 > kMaxNesting) return "body is nested too deeply";
      if (open == cursors.size()) cursors.emplace_back();
      Cursor& cursor = cursors[open++];
      cursor.is_object = type == json_type::object;
      cursor.started = false;
      if (cursor.is_object) {
        simdjson::ondemand::object object;
        if (value.get_object().get(object) != simdjson::SUCCESS ||
            object.begin().get(cursor.field) != simdjson::SUCCESS) {
          return kNotJson;
        }
      } else {
        simdjson::ondemand::array array;
        if (value.get_array().get(array) != simdjson::SUCCESS ||
            array.begin().get(cursor.element) != simdjson::SUCCESS) {
          return kNotJson;
        }
      }
    } else if (!CheckScalar(type, value)) {
      return kNotJson;
    }

    // On to the next value: the next member of the innermost container not yet finished.
    for (;;) {
      if (open == 0) return {};
      Cursor& cursor = cursors[open - 1];
      const bool advance = cursor.started;
      cursor.started = true;
      if (cursor.is_object) {
        if (advance) ++cursor.field;
        if (HasMore(cursor.field)) {
          simdjson::ondemand::field field;
          char buffer[kMaxKeyBytes];
          std::string_view unused;
          if ((*cursor.field).get(field) != simdjson::SUCCESS ||
              !ReadKey(field.key().raw(), buffer, &unused)) {
            return kNotJson;
          }
          value = std::move(field).value();
          break;
        }
      } else {
        if (advance) ++cursor.element;
        if (HasMore(cursor.element)) {
          if ((*cursor.element).get(value) != simdjson::SUCCESS) return kNotJson;
          break;
        }
      }
      --open;  // its closing bracket has been read
    }
  }
}

// Only called once simdjson has refused to decode `raw` (the bytes between the quotes): tells
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
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int next = code_unit_at(i + 6);
      if (next < 0xDC00 || next > 0xDFFF) return "model is not valid Unicode";
      i += 6;  // the pair
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return "model is not valid Unicode";
    }
    i += 5;
  }
  return "model is not a valid JSON string";
}

// Reads the model string. `json` is the start of the bytes simdjson parses and `body` the
// caller's copy of them, so that an unescaped model can be returned as a view of `body`.
BodyModel ReadModelString(simdjson::ondemand::value& value, const char* json,
                          std::string_view body) {
  const std::string_view token = TrimTrailingWhitespace(value.raw_json_token());
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return BadBody(kNotJson);
  const std::string_view raw = token.substr(1, token.size() - 2);
  if (raw.find('\\') == std::string_view::npos) {
    // Consumed, as in CheckScalar.
    simdjson::ondemand::raw_json_string unused;
    if (value.get_raw_json_string().get(unused) != simdjson::SUCCESS) return BadBody(kNotJson);
    // Stage 1 checked the UTF-8 and refused control characters, so these bytes are the model.
    const std::size_t offset = static_cast<std::size_t>(raw.data() - json);
    return {BodyModel::Status::kModel, body.substr(offset, raw.size()), {}};
  }
  // Decoded into the parser's string buffer, which lives until this thread's next call.
  std::string_view decoded;
  if (value.get_string().get(decoded) != simdjson::SUCCESS) {
    return BadBody(DecodeFailureReason(raw));
  }
  // A lone low surrogate may decode to the bytes of its code point, which are not UTF-8.
  if (!simdjson::validate_utf8(decoded.data(), decoded.size())) {
    return BadBody("model is not valid Unicode");
  }
  return {BodyModel::Status::kModel, decoded, {}};
}

// An affinity field's string: a view of `body` when it has no escapes, else decoded into
// the parser's string buffer. A string that does not decode (a lone surrogate) is no key:
// affinity never refuses a request. False when the token is malformed.
bool ReadFieldString(simdjson::ondemand::value& value, const char* json, std::string_view body,
                     std::string_view* out) {
  const std::string_view token = TrimTrailingWhitespace(value.raw_json_token());
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
  const std::string_view raw = token.substr(1, token.size() - 2);
  if (raw.find('\\') == std::string_view::npos) {
    simdjson::ondemand::raw_json_string unused;
    if (value.get_raw_json_string().get(unused) != simdjson::SUCCESS) return false;
    *out = body.substr(static_cast<std::size_t>(raw.data() - json), raw.size());
    return true;
  }
  if (!HasValidEscapes(raw)) return false;
  std::string_view decoded;
  *out = value.get_string().get(decoded) == simdjson::SUCCESS ? decoded : std::string_view();
  return true;
}

// Whether `s` points into `body`.
bool IsWithin(std::string_view s, std::string_view body) {
  return s.data() >= body.data() && s.data() <= body.data() + body.size();
}

}  // namespace

// Parses `body` with `parser`, whose capacity is at least body.size(). `copy`: null when
// `padding` suffices, otherwise room for body.size() + SIMDJSON_PADDING bytes.
BodyModel Parse(simdjson::ondemand::parser& parser, char* copy, std::string_view body,
                std::vector<Cursor>& cursors, std::span<const std::string_view> fields,
                std::string_view* field_values) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end (whatever they hold). Without
  // them the body is copied into a buffer that has them.
  const char* json = body.data();
  if (copy != nullptr) {
    std::memcpy(copy, body.data(), body.size());
    // Not '}', whatever an earlier body left there: simdjson then skips its balance
    // pre-check, so the reason given for an unbalanced body does not vary from call to call.
    copy[body.size()] = '\0';
    json = copy;
  }

  simdjson::ondemand::document doc;
  const simdjson::padded_string_view padded(json, body.size(),
                                            body.size() + simdjson::SIMDJSON_PADDING);
  switch (parser.iterate(padded).get(doc)) {
    case simdjson::SUCCESS:
      break;
    case simdjson::EMPTY:
      return BadBody("body is empty");
    case simdjson::UTF8_ERROR:
      return BadBody("body is not valid UTF-8");
    case simdjson::UNESCAPED_CHARS:
      return BadBody("body has a control character inside a string");
    default:
      return BadBody(kNotJson);
  }

  simdjson::ondemand::object object;
  switch (doc.get_object().get(object)) {
    case simdjson::SUCCESS:
      break;
    case simdjson::INCORRECT_TYPE:
      return BadBody("body is not a JSON object");
    default:  // truncated, unbalanced or followed by something other than '}'
      return BadBody(kNotJson);
  }

  // Every member is visited: a second "model" must be seen, and every value checked.
  BodyModel result{BodyModel::Status::kNoModel, {}, {}};
  bool seen_model = false;
  for (auto member : object) {
    simdjson::ondemand::field field;
    if (std::move(member).get(field) != simdjson::SUCCESS) return BadBody(kNotJson);
    // Compared decoded, because a backend's parser reads "\u006dodel" as "model".
    char buffer[kMaxKeyBytes];
    std::string_view key;
    if (!ReadKey(field.key().raw(), buffer, &key)) return BadBody(kNotJson);
    const bool is_model = key == "model";
    // An affinity field (the last of repeated ones, as most JSON parsers read it).
    std::size_t field_index = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (key.data() != nullptr && key == fields[i]) field_index = i;
    }
    if (is_model) {
      // Two backends could disagree on which of two "model" members wins.
      if (seen_model) return BadBody("duplicated top-level \"model\"");
      seen_model = true;
    }
    simdjson::ondemand::value value = std::move(field).value();
    json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return BadBody(kNotJson);
    if (is_model && type == json_type::string) {
      result = ReadModelString(value, json, body);
      if (result.status == BodyModel::Status::kBadBody) return result;
      if (field_index < fields.size()) field_values[field_index] = result.model;
    } else if (field_index < fields.size() && type == json_type::string) {
      if (!ReadFieldString(value, json, body, &field_values[field_index])) return BadBody(kNotJson);
    } else {
      // A "model" of another type means no model; it is checked like any other value.
      const std::string_view reason = CheckValue(value, cursors);
      if (!reason.empty()) return BadBody(reason);
    }
  }

  // The object is closed; any token left after it is a second document or garbage.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return BadBody("body has data after the JSON object");
  }
  return result;
}

BodyModel ExtractModel(std::string_view body, std::size_t padding, const BodyLimit& limit,
                       std::span<const std::string_view> fields, std::string_view* field_values) {
  // Before anything else: a body over the limit is neither parsed nor copied.
  if (body.size() > limit.max_bytes) return BadBody(limit.too_large_reason);
  if (body.empty()) return BadBody("body is empty");
  ThreadState& state = State();
  // The previous call's large decoded model, if any, is no longer promised to anyone.
  if (state.model.capacity() > kBodyRetainedBytes) std::string().swap(state.model);
  for (std::string& field : state.fields) {
    if (field.capacity() > kBodyRetainedBytes) std::string().swap(field);
  }
  const bool padded = padding >= simdjson::SIMDJSON_PADDING;

  if (body.size() <= kBodyRetainedBytes) {
    // The thread's own buffers, grown geometrically but never past the threshold.
    if (body.size() > state.parser.capacity()) {
      const std::size_t capacity =
          std::min(GrownCapacity(state.parser.capacity(), body.size()), kBodyRetainedBytes);
      if (state.parser.allocate(capacity) != simdjson::SUCCESS) {
        return BadBody("body is too large");
      }
    }
    if (!padded && body.size() > state.copy_capacity) {
      const std::size_t capacity =
          std::min(GrownCapacity(state.copy_capacity, body.size()), kBodyRetainedBytes);
      state.copy.reset(new (std::nothrow) char[capacity + simdjson::SIMDJSON_PADDING]);
      state.copy_capacity = state.copy ? capacity : 0;
      if (!state.copy) return BadBody("body is too large");
    }
    return Parse(state.parser, padded ? nullptr : state.copy.get(), body, state.cursors, fields,
                 field_values);
  }

  // A large body: a parser and a copy of its own, freed when this call returns.
  simdjson::ondemand::parser parser;
  if (parser.allocate(body.size()) != simdjson::SUCCESS) return BadBody("body is too large");
  std::unique_ptr<char[]> copy;
  if (!padded) {
    copy.reset(new (std::nothrow) char[body.size() + simdjson::SIMDJSON_PADDING]);
    if (!copy) return BadBody("body is too large");
  }
  BodyModel result = Parse(parser, copy.get(), body, state.cursors, fields, field_values);
  // A decoded (escaped) model lives in the parser's string buffer: keep a copy instead.
  // An unescaped model is a view into `body`, which outlives the parser.
  if (result.status == BodyModel::Status::kModel &&
      !(result.model.data() >= body.data() && result.model.data() <= body.data() + body.size())) {
    state.model.assign(result.model);
    result.model = state.model;
  }
  // Likewise decoded affinity keys (the model's own is the copy just made).
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (field_values[i].empty() || IsWithin(field_values[i], body)) continue;
    state.fields[i].assign(field_values[i]);
    field_values[i] = state.fields[i];
  }
  return result;
}

RetainedBodyCapacity RetainedBodyCapacityForThisThread() {
  ThreadState& state = State();
  return {state.parser.capacity(), state.copy_capacity, state.model.capacity()};
}

}  // namespace llmroute::internal
