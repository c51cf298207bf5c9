/* Compiled as C99 with -Wpedantic -Werror: llmroute/c.h is a C header, and a C caller can
 * route a request with it. capi_test.cc calls these functions. */
#include "llmroute/c.h"

#include <string.h>

size_t c99_request_size(void) { return sizeof(llmroute_request_t); }
size_t c99_decision_size(void) { return sizeof(llmroute_decision_t); }

/* Routes one request naming `backend` in the standard header; returns the status, or -1
 * when the call failed. Copies the backend name (NUL-terminated, truncated) into `out`. */
int c99_route_with_standard_header(const llmroute_table_t* table, const char* backend,
                                   char* out, size_t out_size) {
  llmroute_header_t header;
  llmroute_request_t request;
  llmroute_decision_t decision;
  size_t n;

  memset(&request, 0, sizeof(request));
  request.struct_size = sizeof(request);
  request.method.data = "POST";
  request.method.len = 4;
  request.path.data = "/v1/chat/completions";
  request.path.len = strlen(request.path.data);
  header.name.data = "x-ai-gateway-backend";
  header.name.len = strlen(header.name.data);
  header.value.data = backend;
  header.value.len = strlen(backend);
  request.headers = &header;
  request.header_count = 1;

  memset(&decision, 0, sizeof(decision));
  decision.struct_size = sizeof(decision);
  if (llmroute_resolve(table, &request, &decision) != LLMROUTE_OK) return -1;
  n = 0;
  if (decision.backend.name.data != NULL && out_size > 0) {
    n = decision.backend.name.len < out_size - 1 ? decision.backend.name.len : out_size - 1;
    memcpy(out, decision.backend.name.data, n);
  }
  if (out_size > 0) out[n] = '\0';
  return decision.status;
}
