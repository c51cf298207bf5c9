// UTF-8 well-formedness, as RFC 3629 and Unicode's table 3-7 define it: no overlong forms,
// no UTF-16 surrogates, nothing above U+10FFFF.
#ifndef LLMROUTE_TEXT_UTF8_H_
#define LLMROUTE_TEXT_UTF8_H_

#include <cstddef>
#include <string_view>

namespace llmroute::internal {

// The length (1 to 4) of the well-formed UTF-8 sequence that starts `text`, or 0 when
// `text` is empty or does not start with one.
std::size_t Utf8SequenceLength(std::string_view text);

}  // namespace llmroute::internal

#endif  // LLMROUTE_TEXT_UTF8_H_
