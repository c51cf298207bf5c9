// The input of `llmroute resolve --requests`: JSON Lines, one request object per line.
//
//   {"method": "POST", "host": "api.example.com", "path": "/v1/chat/completions",
//    "headers": {"x-ai-eg-model": "gpt-4o"}, "body": "{\"model\": \"gpt-4o\"}",
//    "entropy": 42, "down": ["default/openai"]}
//
// Every field is optional and `null` means absent: `method` defaults to GET, `path` to
// "/". `headers` is an object (a repeated key is a repeated header, kept in order) or an
// array of [name, value] string pairs. `entropy` is an integer in [0, 2^64). `down` is a
// list of "namespace/name" backends to treat as down for this line only. Unknown
// fields are ignored. A line that is blank, not JSON, not an object, or has a field of
// the wrong type is rejected with a message saying what is wrong.
#ifndef LLMROUTE_CLI_REQUEST_LINES_H_
#define LLMROUTE_CLI_REQUEST_LINES_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "llmroute/request.h"
#include "simdjson.h"

namespace llmroute::cli {

// Reads a stream line by line; a line may hold any byte, NUL included.
class LineReader {
 public:
  // `stream` stays owned by the caller and must outlive the reader.
  explicit LineReader(std::FILE* stream) : stream_(stream) {}
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n", valid until the next call; false at the end of the
  // stream (a last line without "\n" still counts) or on a read error (see `failed`).
  bool Next(std::string_view& line);

  // Whether reading stopped on an I/O error rather than at the end of the stream.
  bool failed() const { return std::ferror(stream_) != 0; }

 private:
  std::FILE* stream_;
  char* buffer_ = nullptr;  // owned, grown by getline(3)
  std::size_t capacity_ = 0;
};

// Turns one request line into a Request. Reuses its buffers from line to line.
class RequestLineParser {
 public:
  // Parses `line` (without "\n"; a trailing "\r" is ignored). On success the views in
  // `request` point into this parser and stay valid until the next call of Parse; the
  // body, when present, is given padded so that resolve parses it in place. On failure,
  // an InvalidArgumentError whose message says what is wrong with the line.
  absl::Status Parse(std::string_view line, Request& request);

  // The `down` list of the line last parsed successfully ("namespace/name" each), valid
  // until the next call of Parse.
  const std::vector<std::string_view>& down() const { return down_; }

 private:
  absl::Status ReadHeaders(simdjson::dom::element headers);
  absl::Status ReadDown(simdjson::dom::element down);
  // After the DOM parser rejected a number (too large, or malformed): whether `entropy`
  // is one, so that the message can say so.
  bool EntropyIsTheBadNumber(std::size_t line_size);

  simdjson::dom::parser dom_parser_;
  simdjson::ondemand::parser ondemand_parser_;
  std::string line_buffer_;  // the line plus simdjson's padding
  std::string body_buffer_;  // the body plus kBodyPaddingBytes
  std::vector<Header> headers_;
  std::vector<std::string_view> down_;
};

}  // namespace llmroute::cli

#endif  // LLMROUTE_CLI_REQUEST_LINES_H_
