/* Routes one request that names its backend in the standard header, against the installed
 * library:
 *
 *   cc route.c $(pkg-config --cflags --libs llmroute) -o route
 *   ./route examples/quickstart.yaml llama-cloud
 *   routed 200 via standard_header: default/llama-cloud (route default/quickstart)
 */
#include <llmroute/c.h>
#include <stdio.h>
#include <string.h>

static llmroute_string_t str(const char* s) {
  llmroute_string_t out = {s, strlen(s)};
  return out;
}

int main(int argc, char** argv) {
  llmroute_table_t* table = NULL;
  char* error = NULL;
  llmroute_header_t headers[2];
  llmroute_request_t request;
  llmroute_decision_t decision;

  if (argc != 3) {
    fprintf(stderr, "usage: %s CONFIG BACKEND\n", argv[0]);
    return 2;
  }
  if (llmroute_table_compile_file(NULL, argv[1], strlen(argv[1]), &table, &error) != LLMROUTE_OK) {
    fprintf(stderr, "%s\n", error); /* "file:line:col: error: field: message" */
    llmroute_free(error);
    return 1;
  }

  headers[0].name = str("x-ai-eg-model");
  headers[0].value = str("llama-3-70b");
  headers[1].name = str("x-ai-gateway-backend");
  headers[1].value = str(argv[2]);
  memset(&request, 0, sizeof request);
  request.struct_size = sizeof request;
  request.method = str("POST");
  request.path = str("/v1/chat/completions");
  request.headers = headers;
  request.header_count = 2;

  memset(&decision, 0, sizeof decision);
  decision.struct_size = sizeof decision;
  if (llmroute_resolve(table, &request, &decision) != LLMROUTE_OK) return 1;

  printf("%s %d", llmroute_status_name(decision.status), (int)decision.http_status);
  if (decision.via != LLMROUTE_VIA_NONE) printf(" via %s", llmroute_via_name(decision.via));
  if (decision.backend.name.data != NULL) {
    printf(": %.*s/%.*s", (int)decision.backend.ns.len, decision.backend.ns.data,
           (int)decision.backend.name.len, decision.backend.name.data);
  }
  if (decision.route.name.data != NULL) {
    printf(" (route %.*s/%.*s)", (int)decision.route.ns.len, decision.route.ns.data,
           (int)decision.route.name.len, decision.route.name.data);
  }
  printf("\n");
  llmroute_table_free(table); /* after the last read of the decision's strings */
  return 0;
}
