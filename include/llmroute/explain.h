// Explain: why a request gets its decision, for a person reading it (the
// report of `llmroute explain`; its wording may change between versions).
//
// The slow path: builds a text report of the applicable routes, the standard header's
// verdict for each route that enables it, every candidate match in precedence order with
// each condition met or not (and the value seen), and the final decision. It allocates and
// walks every candidate; never call it on the hot path.
//
// Thread-safety: reads the immutable table; call from any thread.
#ifndef LLMROUTE_EXPLAIN_H_
#define LLMROUTE_EXPLAIN_H_

#include <string>

#include "llmroute/request.h"
#include "llmroute/table.h"

namespace llmroute {

// The report, lines separated by '\n'. Its last line starts with "decision: ".
std::string Explain(const RoutingTable& table, const Request& request);

}  // namespace llmroute

#endif  // LLMROUTE_EXPLAIN_H_
