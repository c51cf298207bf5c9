/* llmroute C API: which backend gets this LLM request?
 *
 *   text --llmroute_table_compile_*--> llmroute_table_t --llmroute_resolve--> decision
 *
 * A thin C99 ABI over the C++ library (include/llmroute/), for proxies written in C and for
 * LuaJIT FFI and Python ctypes, which call it without a compiler. The behaviour is the C++
 * library's (include/llmroute/, and docs/routing.md for the routing rules); this header
 * says only how to call it.
 *
 * CONVENTIONS (they hold for every declaration below unless it says otherwise)
 *
 * Names. Every symbol starts with llmroute_ or LLMROUTE_.
 *
 * Objects. Opaque handles, each made by one function and released by one free function:
 *   llmroute_compile_options_t  llmroute_compile_options_create  .. llmroute_compile_options_free
 *   llmroute_table_t            llmroute_table_compile_{text,file,files}, llmroute_table_ref,
 *                               llmroute_holder_acquire         .. llmroute_table_free
 *   llmroute_holder_t           llmroute_holder_create          .. llmroute_holder_free
 *   llmroute_health_t           llmroute_health_create{,_with_clock,_manual_clock}
 *                                                               .. llmroute_health_free
 * Every *_free accepts NULL and does nothing with it. A handle must not be used after it
 * is freed.
 *
 * Tables are reference counted. A llmroute_table_t* is one reference to an immutable
 * compiled table. llmroute_table_ref adds a reference (returns the same pointer);
 * llmroute_table_free drops one; the table is destroyed when the last is dropped. A
 * holder keeps its own reference to its current table; llmroute_holder_acquire gives the
 * caller a new one. Whoever received a reference releases it, once.
 *
 * Strings in. Pointer and length (llmroute_string_t, or a `const char*` with a `size_t`
 * length next to it): no NUL terminator is needed or read; bytes are bytes. A NULL pointer
 * with length 0 is the empty string unless the field says NULL means "absent". The
 * library keeps no pointer to an input after the call returns, except that a decision's
 * `model` may point into the request (below).
 *
 * Strings out. llmroute_string_t, not NUL-terminated. `data == NULL` means absent (null
 * in the CLI's JSON); an empty but present string has a non-NULL `data` and `len == 0`.
 * They point into the table, valid while the caller holds a reference to it: a decision
 * never outlives its table if the caller resolves with a table reference it holds and
 * reads the decision before releasing that reference. The exceptions: a decision's
 * `model` points into the request's model header value when that header was sent once,
 * into the request's body when the body's model string has no JSON escapes, and otherwise
 * (the model header sent several times, joined by ","; a body model with escapes) into a
 * buffer of the calling thread that the same thread's next llmroute_resolve overwrites
 * (other threads' calls leave it alone): copy it before the request changes or the thread
 * resolves again. Likewise the list behind `fallbacks` (read with
 * llmroute_decision_fallback) is a per-thread buffer, overwritten by the same thread's next
 * llmroute_resolve, when the decision has `affinity` or was made with a health view while
 * a backend of its rule was down; the names in it still point into the table. Names
 * returned as `const char*` (version, *_name) are static NUL-terminated strings.
 *
 * Errors. Functions that can fail return an int32_t code: LLMROUTE_OK (0) or one of
 * enum llmroute_error (llmroute_error_name gives its name). No C++ exception crosses this
 * boundary; a function that would throw returns LLMROUTE_ERROR_OUT_OF_MEMORY or
 * LLMROUTE_ERROR_INTERNAL instead. Functions with a `char** errptr` argument, on failure,
 * free the message already in *errptr (if not NULL) and store a NUL-terminated message
 * made with malloc, which the caller frees with llmroute_free; on success they leave
 * *errptr alone. errptr itself may be NULL (no message wanted). A configuration error's
 * message is exactly the line the CLI prints:
 *   "routes.yaml:14:11: error: spec.rules[2].matches[0].headers[1].value: invalid ..."
 * Results are written to out-parameters only on success.
 *
 * Thread-safety. A table is immutable: any number of threads may resolve against it, read
 * its models and warnings, and ref/free references to it at once, without locks.
 * llmroute_resolve allocates nothing, takes no lock of ours and writes only to *out and
 * per-thread scratch; with RegularExpression conditions, RE2 takes its own reader-writer
 * lock around each regex's DFA cache, shared by the threads running that regex (a reader
 * lock per search; the writer lock to grow or reset the cache, which values that keep
 * reaching new DFA states can force; RE2 then falls back to its NFA, linear in value
 * length × regex program size). See the C++ header llmroute/table.h and the README.
 * A holder may be swapped, acquired from and read by any threads at once. Compile options are plain values: do not change one while another thread reads it.
 *
 * ABI growth. The library's soname changes only when a declared function, struct field or
 * enum value changes meaning. Otherwise versions only add: new functions, new enum values
 * (treat an unknown value as "unknown"; the *_name functions return "unknown"), and new
 * fields appended at the end of the two structs that cross by pointer,
 * llmroute_request_t and llmroute_decision_t. Both start with `size_t struct_size`, which
 * the caller sets to sizeof of the struct it was compiled with:
 *   - a library that knows more fields than struct_size covers uses their defaults (for a
 *     request) or does not write them (for a decision);
 *   - a request larger than the library knows must hold only zero bytes past what the
 *     library knows, or llmroute_resolve returns LLMROUTE_ERROR_INVALID_ARGUMENT (a newer
 *     caller asked for something this library cannot do); every field is designed so that
 *     zero means "not used";
 *   - a decision larger than the library knows gets zero bytes past what the library
 *     knows (every field is designed so that zero means "absent");
 *   - struct_size smaller than the first version of the struct is
 *     LLMROUTE_ERROR_INVALID_ARGUMENT.
 * Zero-initialize these structs (`= {0}` or memset) and set struct_size. The small structs
 * that only come out (llmroute_string_t, llmroute_name_t, llmroute_header_t, llmroute_model_t)
 * never change.
 *
 * The declarations between the BEGIN and END markers use no macro, so LuaJIT's ffi.cdef
 * can take them as they are.
 */
#ifndef LLMROUTE_C_H_
#define LLMROUTE_C_H_

#include <stddef.h>
#include <stdint.h>

#include "llmroute/version.h" /* LLMROUTE_VERSION_{MAJOR,MINOR,PATCH,STRING,NUMBER} */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif

/* BEGIN llmroute declarations */

typedef struct llmroute_compile_options_t llmroute_compile_options_t;
typedef struct llmroute_table_t llmroute_table_t;
typedef struct llmroute_holder_t llmroute_holder_t;
typedef struct llmroute_health_t llmroute_health_t;

/* Result codes of functions that can fail. */
enum llmroute_error {
  LLMROUTE_OK = 0,
  LLMROUTE_ERROR_INVALID_ARGUMENT = 1,  /* a NULL handle, an index out of range, a bad size */
  LLMROUTE_ERROR_CONFIG = 2,            /* the configuration does not load or compile */
  LLMROUTE_ERROR_NOT_FOUND = 3,         /* a configuration file does not exist */
  LLMROUTE_ERROR_PERMISSION_DENIED = 4, /* a configuration file may not be read */
  LLMROUTE_ERROR_IO = 5,                /* reading a configuration file failed otherwise */
  LLMROUTE_ERROR_OUT_OF_MEMORY = 6,
  LLMROUTE_ERROR_INTERNAL = 7
};

/* A decision's status, with its HTTP status (docs/routing.md#decision). */
enum llmroute_status {
  LLMROUTE_STATUS_ROUTED = 0,              /* 200: a backend was chosen */
  LLMROUTE_STATUS_NO_ROUTE = 1,            /* 404: no rule matched, no standard header applied */
  LLMROUTE_STATUS_BACKEND_NOT_ALLOWED = 2, /* 400: the standard header named a refused backend */
  LLMROUTE_STATUS_BAD_REQUEST = 3,         /* 400: conflicting header values; unusable body */
  LLMROUTE_STATUS_NO_BACKEND = 4           /* 500: the matched rule has no selectable backend */
};

/* What decided. */
enum llmroute_via {
  LLMROUTE_VIA_NONE = 0,           /* not routed, no standard header involved */
  LLMROUTE_VIA_RULE = 1,           /* a rule matched */
  LLMROUTE_VIA_STANDARD_HEADER = 2 /* the standard routing header decided */
};

/* Which backends the standard header may name, for routes without their own section. */
enum llmroute_allowed_backends {
  LLMROUTE_ALLOWED_RULES_ONLY = 0,   /* the backends in the route's backendRefs */
  LLMROUTE_ALLOWED_SAME_NAMESPACE = 1 /* every known backend in the route's namespace */
};

/* What a route answers when the standard header names a backend it does not allow. */
enum llmroute_on_disallowed {
  LLMROUTE_ON_DISALLOWED_REJECT = 0,   /* backend_not_allowed */
  LLMROUTE_ON_DISALLOWED_USE_RULES = 1 /* ignore the header, the rules decide */
};

/* What a routed decision's backend is (the chosen backendRef's group and kind). */
enum llmroute_backend_kind {
  LLMROUTE_BACKEND_KIND_BACKEND = 0,       /* a backend (AIServiceBackend, LLMBackend, Service) */
  LLMROUTE_BACKEND_KIND_INFERENCE_POOL = 1 /* an InferencePool: hand it to the pool's picker */
};

typedef struct llmroute_string_t {
  const char* data; /* NULL: absent */
  size_t len;
} llmroute_string_t;

typedef struct llmroute_name_t {
  llmroute_string_t ns; /* namespace */
  llmroute_string_t name;
} llmroute_name_t;

/* One request header as received. Names compare case-insensitively; a name given several
 * times is matched as its values joined by "," in the order given. */
typedef struct llmroute_header_t {
  llmroute_string_t name;
  llmroute_string_t value;
} llmroute_header_t;

/* The request: views of memory the caller owns, read during llmroute_resolve only (except
 * for the decision's `model`, see CONVENTIONS). */
typedef struct llmroute_request_t {
  size_t struct_size;       /* sizeof(llmroute_request_t) */
  llmroute_string_t method; /* data NULL: "GET"; compared exactly ("post" is not "POST") */
  llmroute_string_t host;   /* data NULL: no host; ":port" then one trailing dot dropped,
                               compared case-insensitively */
  llmroute_string_t path;   /* data NULL: "/"; path and query string, the path ends at '?' */
  const llmroute_header_t* headers; /* header_count entries (NULL when 0) */
  size_t header_count;
  llmroute_string_t body;   /* data NULL: no body; else exactly one JSON object, whose
                               "model" replaces the model header */
  size_t body_padding;      /* readable bytes after the body; >= 64: parsed in place */
  uint64_t entropy;         /* used when has_entropy != 0: same entropy, same choice */
  int32_t has_entropy;      /* 0: a per-thread generator draws the entropy */
  int32_t reserved;         /* must be 0 */
  /* Appended in 0.2: */
  const llmroute_health_t* health; /* NULL: no health view; else down backends are not
                                      chosen (read during the call only) */
} llmroute_request_t;

/* The decision (docs/routing.md#decision), written by llmroute_resolve into memory the
 * caller owns. */
typedef struct llmroute_decision_t {
  size_t struct_size;  /* sizeof(llmroute_decision_t), set by the caller */
  int32_t status;      /* enum llmroute_status */
  int32_t http_status; /* 200, 404, 400, 400, 500 */
  int32_t via;         /* enum llmroute_via */
  int32_t rule;        /* index in the route's spec.rules; -1: none */
  int32_t match;       /* index in the rule's matches (0: implicit match); -1: none */
  int32_t reserved;
  llmroute_name_t backend;          /* name.data NULL: none (only routed has one) */
  llmroute_name_t route;            /* name.data NULL: none */
  llmroute_string_t rule_name;      /* the rule's name, if it has one */
  llmroute_string_t model;          /* the model header's value or the body's model */
  llmroute_string_t model_override; /* the chosen backendRef's modelNameOverride */
  llmroute_string_t reason;         /* why not routed; data NULL when routed */
  size_t fallback_count;            /* read them with llmroute_decision_fallback */
  const void* fallbacks;            /* private to the library */
  /* Appended fields: written only when struct_size covers them. */
  int32_t backend_kind;             /* enum llmroute_backend_kind; 0 when not routed */
  int32_t reserved2;
  /* The chosen backendRef's headerMutation and bodyMutation (all 0 when it has none, when
   * not routed, and for the standard header); read them with llmroute_decision_header_set,
   * _header_remove, _body_set and _body_remove. */
  size_t header_set_count;
  size_t header_remove_count;
  size_t body_set_count;
  size_t body_remove_count;
  const void* mutations;            /* private to the library */
  /* The winning rule's retry policy: has_retry 1 for a decision routed by a rule that has
   * a `retry`; 0 otherwise (no `retry`, the standard header, not routed), the rest 0/NULL.
   * retry_codes points into the table (retry_code_count statuses, as configured). */
  int32_t has_retry;
  uint32_t retry_attempts;          /* retries after the first try, 0-16 */
  uint64_t retry_backoff_ms;        /* the wait before each retry */
  const uint16_t* retry_codes;      /* HTTP statuses that may be retried; NULL when none */
  size_t retry_code_count;
  int32_t affinity; /* 1: the rule's session affinity key chose the backend; else 0 */
  int32_t panic;    /* 1: every backend of the rule was down, the health view was ignored */
} llmroute_decision_t;

/* One entry of a models list, as OpenAI's /v1/models lists a model. Strings point into
 * the table. */
typedef struct llmroute_model_t {
  llmroute_string_t id;       /* the model name */
  llmroute_name_t route;      /* the first route (route order) whose rules name it */
  llmroute_string_t owned_by; /* the rule's modelsOwnedBy, else "Envoy AI Gateway" */
  int64_t created;            /* seconds since the Unix epoch: modelsCreatedAt, else the
                                 route's creationTimestamp, else 0 */
} llmroute_model_t;

/* The library's version, e.g. "0.1.0", and its number, e.g. 100 (major * 10000 +
 * minor * 100 + patch): LLMROUTE_VERSION_STRING and LLMROUTE_VERSION_NUMBER of the headers
 * the library was built with. */
const char* llmroute_version(void);
int32_t llmroute_version_number(void);

/* Names: "ok", "invalid_argument", "config", "not_found", "permission_denied", "io",
 * "out_of_memory", "internal". */
const char* llmroute_error_name(int32_t code);
/* "routed", "no_route", "backend_not_allowed", "bad_request", "no_backend". */
const char* llmroute_status_name(int32_t status);
/* "" (none), "rule", "standard_header". */
const char* llmroute_via_name(int32_t via);
/* 200, 404, 400, 400, 500; 0 for an unknown status. */
int32_t llmroute_http_status(int32_t status);

/* Frees a message from an errptr (or NULL). */
void llmroute_free(void* ptr);

/* Compile options: defaults as the C++ CompileOptions (model header "x-ai-eg-model",
 * standard header off, "x-ai-gateway-backend", RulesOnly, Reject, max body size 64 MiB).
 * Returns NULL only when out of memory. */
llmroute_compile_options_t* llmroute_compile_options_create(void);
void llmroute_compile_options_free(llmroute_compile_options_t* options);
/* The header that carries the model (default "x-ai-eg-model"); a request body's "model"
 * replaces it. */
int32_t llmroute_compile_options_set_model_header(llmroute_compile_options_t* options,
                                                  const char* name, size_t name_len);
/* Enables (nonzero) the standard header for routes that have no standardRoutingHeader
 * section; a route's own section always wins as a whole. */
int32_t llmroute_compile_options_set_standard_header(llmroute_compile_options_t* options,
                                                     int32_t enabled);
int32_t llmroute_compile_options_set_standard_header_name(llmroute_compile_options_t* options,
                                                          const char* name, size_t name_len);
/* enum llmroute_allowed_backends; another value: LLMROUTE_ERROR_INVALID_ARGUMENT. */
int32_t llmroute_compile_options_set_allowed_backends(llmroute_compile_options_t* options,
                                                      int32_t policy);
/* enum llmroute_on_disallowed; another value: LLMROUTE_ERROR_INVALID_ARGUMENT. */
int32_t llmroute_compile_options_set_on_disallowed(llmroute_compile_options_t* options,
                                                   int32_t action);

/* The value of enum llmroute_allowed_backends that `name` (name_len bytes, not necessarily
 * NUL-terminated) spells, as configs write it: "RulesOnly" or "SameNamespace", compared
 * case-sensitively. Writes it to *out and returns LLMROUTE_OK; another name (including
 * "Explicit", which needs a list of backends and is not a compile option), a null `out`, or
 * a null `name` with a nonzero length: LLMROUTE_ERROR_INVALID_ARGUMENT, *out untouched.
 * Reads only its arguments: safe from any thread. */
int32_t llmroute_allowed_backends_from_name(const char* name, size_t name_len, int32_t* out);
/* The same for enum llmroute_on_disallowed: "Reject" or "UseRules". */
int32_t llmroute_on_disallowed_from_name(const char* name, size_t name_len, int32_t* out);

/* The longest request body llmroute_resolve reads, in bytes: default 67108864 (64 MiB),
 * from 1 to 4294967295 (another value: LLMROUTE_ERROR_INVALID_ARGUMENT). A longer body is
 * LLMROUTE_STATUS_BAD_REQUEST with a reason naming the limit, and is neither parsed nor
 * copied. */
int32_t llmroute_compile_options_set_max_body_size(llmroute_compile_options_t* options,
                                                   size_t max_body_size);
/* Session affinity for routes and rules without a sessionAffinity of their own: a header
 * name, or a top-level body field. Setting one (non-empty) clears the other; empty: none.
 * A bad name is reported when compiling (LLMROUTE_ERROR_CONFIG). */
int32_t llmroute_compile_options_set_affinity_header(llmroute_compile_options_t* options,
                                                     const char* name, size_t name_len);
int32_t llmroute_compile_options_set_affinity_body_field(llmroute_compile_options_t* options,
                                                         const char* name, size_t name_len);

/* Loads and compiles configuration text (YAML or JSON, the kinds
 * include/llmroute/load.h lists). `options` NULL: the
 * defaults. `file_name` is used only in messages (may be NULL, 0). On success stores a new
 * table reference in *table. Errors: LLMROUTE_ERROR_CONFIG with the message in *errptr;
 * LLMROUTE_ERROR_INVALID_ARGUMENT when table is NULL. */
int32_t llmroute_table_compile_text(const llmroute_compile_options_t* options, const char* text,
                                    size_t text_len, const char* file_name, size_t file_name_len,
                                    llmroute_table_t** table, char** errptr);
/* Reads, loads and compiles one file. Errors also LLMROUTE_ERROR_NOT_FOUND,
 * LLMROUTE_ERROR_PERMISSION_DENIED and LLMROUTE_ERROR_IO, with the message, and
 * LLMROUTE_ERROR_INVALID_ARGUMENT for a path with a NUL byte in its path_len bytes (the
 * system would read another file: the path up to the NUL). */
int32_t llmroute_table_compile_file(const llmroute_compile_options_t* options, const char* path,
                                    size_t path_len, llmroute_table_t** table, char** errptr);
/* Several files forming one configuration, in order (each path as above). */
int32_t llmroute_table_compile_files(const llmroute_compile_options_t* options,
                                     const llmroute_string_t* paths, size_t path_count,
                                     llmroute_table_t** table, char** errptr);
/* Adds a reference; returns `table`. */
llmroute_table_t* llmroute_table_ref(llmroute_table_t* table);
/* Drops a reference. */
void llmroute_table_free(llmroute_table_t* table);

/* Decides which backend gets `request`, into *out (whose struct_size the caller set).
 * Allocates nothing once the thread has warmed up; thread-safe. Returns LLMROUTE_OK, or
 * LLMROUTE_ERROR_INVALID_ARGUMENT for a NULL argument, a bad struct_size, a nonzero
 * `reserved`, or headers NULL with header_count > 0 (then *out is not written). The
 * decision's strings point into `table`: read them while you hold the reference.
 * Memory: each thread keeps body-parsing buffers sized for bodies up to 1 MiB (about
 * 5 MiB, 7 MiB at most); the buffers for a larger body are freed before the call returns. */
int32_t llmroute_resolve(const llmroute_table_t* table, const llmroute_request_t* request,
                         llmroute_decision_t* out);
/* The decision's index-th fallback (0 <= index < fallback_count), in retry order. */
int32_t llmroute_decision_fallback(const llmroute_decision_t* decision, size_t index,
                                   llmroute_name_t* out);
/* The index-th fallback's modelNameOverride (the model name to send that backend): data
 * NULL when that backendRef has none. Points into the table. */
int32_t llmroute_decision_fallback_override(const llmroute_decision_t* decision, size_t index,
                                            llmroute_string_t* model_override);

/* The next try of a request after `attempts_made` (>= 1) tries, the last of which ended
 * with `last_status` (its HTTP status, or 0 for a connection failure or timeout): the
 * fallback at index attempts_made - 1, when the decision has a retry policy, attempts_made
 * <= retry_attempts, last_status is 0 or one of retry_codes, and that fallback exists.
 * Returns 1 and writes *backend and *model_override (data NULL when the backendRef has no
 * modelNameOverride; pointing into the table) when there is one; 0 when the request is not
 * to be retried (the outs untouched); -LLMROUTE_ERROR_INVALID_ARGUMENT for a NULL
 * argument or a decision whose struct_size does not cover the retry fields. Pure: no
 * allocation, no lock; thread-safe. Read the outs while you hold the table. */
int32_t llmroute_next_attempt(const llmroute_decision_t* decision, uint32_t attempts_made,
                              int32_t last_status, llmroute_name_t* backend,
                              llmroute_string_t* model_override);

/* For a person: how `request` gets its decision, as `llmroute explain` prints it (the
 * routes for the host, the standard header's verdict, each candidate match with each
 * condition met or not, the decision and its retry policy). Slow: not for the hot path.
 * On success stores a malloc'd text (NUL-terminated; *len without the NUL) that the
 * caller frees with llmroute_free. Errors as llmroute_resolve's, and
 * LLMROUTE_ERROR_OUT_OF_MEMORY, with *errptr set when errptr is not NULL. */
int32_t llmroute_explain(const llmroute_table_t* table, const llmroute_request_t* request,
                         char** text, size_t* len, char** errptr);

/* The decision's index-th header to set (name, value) and header to remove (name), in the
 * order written; LLMROUTE_ERROR_INVALID_ARGUMENT for an index out of range or a decision
 * whose struct_size does not cover the mutation fields. Names are HTTP tokens as written
 * (compare case-insensitively); the proxy replaces, never appends. */
int32_t llmroute_decision_header_set(const llmroute_decision_t* decision, size_t index,
                                     llmroute_string_t* name, llmroute_string_t* value);
int32_t llmroute_decision_header_remove(const llmroute_decision_t* decision, size_t index,
                                        llmroute_string_t* name);
/* The decision's index-th top-level body field to set (path, and value as JSON text) and
 * field to remove. */
int32_t llmroute_decision_body_set(const llmroute_decision_t* decision, size_t index,
                                   llmroute_string_t* path, llmroute_string_t* value);
int32_t llmroute_decision_body_remove(const llmroute_decision_t* decision, size_t index,
                                      llmroute_string_t* path);
/* "Backend", "InferencePool"; "unknown" for another value. */
const char* llmroute_backend_kind_name(int32_t kind);

/* The models list (every Exact value of the model header, with its route, de-duplicated,
 * in route order then rule order): its length, and its index-th entry. Either out pointer
 * of llmroute_table_model may be NULL; llmroute_table_model_info gives the whole entry. */
size_t llmroute_table_model_count(const llmroute_table_t* table);
int32_t llmroute_table_model(const llmroute_table_t* table, size_t index,
                             llmroute_string_t* model, llmroute_name_t* route);
int32_t llmroute_table_model_info(const llmroute_table_t* table, size_t index,
                                  llmroute_model_t* out);
/* The models of the routes that apply to `host` (what /v1/models lists for one client):
 * chosen as llmroute_resolve chooses routes for a host (port stripped, one trailing dot
 * dropped, case-insensitive; exact beats wildcard beats routes without hostnames), in route
 * order then rule order, de-duplicated. host NULL with length 0: a request without a host.
 * Each call looks the host up again (a hash lookup; no allocation). */
size_t llmroute_table_host_model_count(const llmroute_table_t* table, const char* host,
                                       size_t host_len);
int32_t llmroute_table_host_model(const llmroute_table_t* table, const char* host,
                                  size_t host_len, size_t index, llmroute_model_t* out);
/* The compile warnings, each one CLI line ("file:line:col: warning: field: message"). */
size_t llmroute_table_warning_count(const llmroute_table_t* table);
int32_t llmroute_table_warning(const llmroute_table_t* table, size_t index,
                               llmroute_string_t* message);
/* The model header name the table reads (lower-cased). */
int32_t llmroute_table_model_header(const llmroute_table_t* table, llmroute_string_t* name);
/* The request headers the gateway owns, which a proxy removes from the client's request
 * before setting its own upstream: the model header first, then the compile default's
 * standard routing header (when enabled), then every standard routing header a route
 * enables, in route order; lower-cased, each once. Their count, and the index-th name
 * (0 <= index < count; a view into the table). */
size_t llmroute_table_owned_header_count(const llmroute_table_t* table);
int32_t llmroute_table_owned_header(const llmroute_table_t* table, size_t index,
                                    llmroute_string_t* name);
/* The value to set in the model header upstream, replacing the client's: the decision's
 * model_override when present, else its model; data NULL when neither is (send no model
 * header). The view is that field of the decision, valid as long as it is. */
int32_t llmroute_decision_upstream_model(const llmroute_decision_t* decision,
                                         llmroute_string_t* model);

/* A holder publishes the current table of a configuration that reloads: one thread swaps
 * a newly compiled table in, the others acquire the current one and resolve with it.
 * Returns NULL when `initial` is NULL or out of memory; the holder takes its own reference
 * to `initial` (the caller keeps and frees its own). Freeing the holder drops its
 * reference; tables acquired from it stay valid until released. */
llmroute_holder_t* llmroute_holder_create(llmroute_table_t* initial);
void llmroute_holder_free(llmroute_holder_t* holder);
/* Publishes `next` (the holder takes its own reference) and drops the holder's reference
 * to the previous table. Threads resolving with a reference they acquired go on safely. */
int32_t llmroute_holder_swap(llmroute_holder_t* holder, llmroute_table_t* next);
/* A new reference to the current table (NULL only for a NULL holder); release it with
 * llmroute_table_free. Takes the holder's mutex for a few instructions. */
llmroute_table_t* llmroute_holder_acquire(const llmroute_holder_t* holder);
/* How many times the holder was swapped: one atomic load, no lock. A worker that keeps a
 * reference between requests acquires again only when this changed:
 *   uint64_t g = llmroute_holder_generation(h);   (read it before acquiring)
 *   if (g != mine_generation) { llmroute_table_free(mine); mine = llmroute_holder_acquire(h);
 *                               mine_generation = g; } */
uint64_t llmroute_holder_generation(const llmroute_holder_t* holder);

/* Backend health: a view of the backends a proxy has seen failing (connection errors,
 * 5xx, 429 with Retry-After), keyed by "namespace/name". Pass it in
 * llmroute_request_t.health: a down backend is not chosen and leaves the fallbacks; when
 * every backend of the winning rule is down the view is ignored and the decision has
 * `panic`; a backend named by the standard routing header is routed whatever its health.
 * One view may serve any number of threads and tables; marks on names no table knows are
 * kept, and survive reloads. Marking takes a mutex; llmroute_resolve reads the view
 * without a lock. Every function here is thread-safe. Names are interned for the life of
 * the process (at most 1,048,576 distinct names). */
llmroute_health_t* llmroute_health_create(void); /* a monotonic clock; NULL: out of memory */
/* For tests and for callers with their own clock: `now_ms(context)` returns milliseconds
 * on a monotonic clock; it may be called from any thread that resolves or marks, and must
 * stay callable until the view is freed. NULL now_ms: INVALID_ARGUMENT (returns NULL). */
typedef int64_t (*llmroute_clock_fn)(void* context);
llmroute_health_t* llmroute_health_create_with_clock(llmroute_clock_fn now_ms, void* context);
/* For tests in any binding: a clock that reads `now_ms` until llmroute_health_set_now
 * changes it. */
llmroute_health_t* llmroute_health_create_manual_clock(int64_t now_ms);
/* Sets a manual clock (INVALID_ARGUMENT for a view with another clock). */
int32_t llmroute_health_set_now(llmroute_health_t* health, int64_t now_ms);
void llmroute_health_free(llmroute_health_t* health);
/* Down until marked up. Replaces an earlier mark. OUT_OF_MEMORY past the name limit. */
int32_t llmroute_health_mark_down(llmroute_health_t* health, const char* ns, size_t ns_len,
                                  const char* name, size_t name_len);
/* Down for `milliseconds` (>= 1, else INVALID_ARGUMENT) from now on the view's clock. */
int32_t llmroute_health_mark_down_for(llmroute_health_t* health, const char* ns, size_t ns_len,
                                      const char* name, size_t name_len, int64_t milliseconds);
/* Up again (a name never marked is up). */
int32_t llmroute_health_mark_up(llmroute_health_t* health, const char* ns, size_t ns_len,
                                const char* name, size_t name_len);
/* The state now: *down 1 or 0; *down_until_ms the clock reading at which a cooldown ends,
 * or -1 when up or down until marked up. Either out pointer may be NULL. */
int32_t llmroute_health_state(const llmroute_health_t* health, const char* ns, size_t ns_len,
                              const char* name, size_t name_len, int32_t* down,
                              int64_t* down_until_ms);

/* END llmroute declarations */

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LLMROUTE_C_H_ */
