/* llmroute as a Lua C module, for Lua 5.3 (the Lua Debian's HAProxy embeds) and 5.4: the
 * same API as the LuaJIT FFI module llmroute.lua.
 *
 *   local llmroute = require "llmroute"
 *   local router, err, kind = llmroute.from_file("routes.yaml", { standard_header = true })
 *   local d, err = router:resolve({ method = "POST", path = "/v1/chat/completions",
 *                                   headers = { ["x-ai-gateway-backend"] = "openai" } })
 *
 * Failures return nil, err (and the error kind); wrong argument types raise errors. A
 * request field, header name or header value that is not a string (a number included:
 * nothing is converted) and a path list entry that is not a string are failures too. Lists
 * (paths, header pairs, a header's values) are read raw up to their first nil: __len and
 * __index are not consulted. A router owns a holder and one table reference, freed by
 * __gc (or router:close()); every decision is copied into Lua values before resolve
 * returns.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llmroute/c.h"

#define ROUTER_METATABLE "llmroute.Router"
#define HEALTH_METATABLE "llmroute.Health"
#define STACK_HEADERS 64

typedef struct {
  llmroute_holder_t* holder;
  llmroute_table_t* table; /* the current table: one reference owned here */
  int source_ref;          /* registry: { paths = {...} | text =, file_name =, opts = } */
} router_t;

/* Table references held by routers of this module, in every Lua state (for the tests). */
static long live_tables = 0;

static void release_table(llmroute_table_t* table) {
  if (table == NULL) return;
  __atomic_fetch_sub(&live_tables, 1, __ATOMIC_RELAXED);
  llmroute_table_free(table);
}

static int l_live_tables(lua_State* L) {
  lua_pushinteger(L, (lua_Integer)__atomic_load_n(&live_tables, __ATOMIC_RELAXED));
  return 1;
}

static router_t* check_router(lua_State* L) {
  return (router_t*)luaL_checkudata(L, 1, ROUTER_METATABLE);
}

static void push_string(lua_State* L, llmroute_string_t s) {
  if (s.data == NULL) {
    lua_pushnil(L);
  } else {
    lua_pushlstring(L, s.data, s.len);
  }
}

/* The answer of a method called on a closed router: nil, "router is closed". */
static int push_closed(lua_State* L) {
  lua_pushnil(L);
  lua_pushstring(L, "router is closed");
  return 2;
}

static void push_name(lua_State* L, const llmroute_name_t* n) {
  if (n->name.data == NULL) {
    lua_pushnil(L);
    return;
  }
  lua_createtable(L, 0, 2);
  lua_pushlstring(L, n->ns.data, n->ns.len);
  lua_setfield(L, -2, "namespace");
  lua_pushlstring(L, n->name.data, n->name.len);
  lua_setfield(L, -2, "name");
}

static int fail(lua_State* L, const char* message, const char* kind) {
  lua_pushnil(L);
  lua_pushstring(L, message);
  lua_pushstring(L, kind);
  return 3;
}

/* The C value the library gives the string at the top of the stack (from_name: one of the
 * llmroute_*_from_name functions); 0 when it names none. Raises no error. */
static int enum_value(lua_State* L, int32_t (*from_name)(const char*, size_t, int32_t*),
                      int32_t* value) {
  size_t len = 0;
  const char* name = lua_tolstring(L, -1, &len);
  return from_name(name, len, value) == LLMROUTE_OK;
}

/* Options table at `index` (or nil) into a new options handle; NULL with a message. Raises
 * no error. */
static llmroute_compile_options_t* make_options(lua_State* L, int index, const char** error) {
  llmroute_compile_options_t* o = llmroute_compile_options_create();
  *error = NULL;
  if (o == NULL) {
    *error = "out of memory";
    return NULL;
  }
  if (lua_isnoneornil(L, index)) return o; /* else a table: the caller checked */
  {
    const int header = lua_getfield(L, index, "affinity_header");
    const int body_field = lua_getfield(L, index, "affinity_body_field");
    lua_pop(L, 2);
    if (header != LUA_TNIL && body_field != LUA_TNIL) {
      *error = "give affinity_header or affinity_body_field, not both";
      llmroute_compile_options_free(o);
      return NULL;
    }
  }
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    const char* key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    size_t len = 0;
    int32_t value = 0;
    if (strcmp(key, "model_header") == 0 && lua_type(L, -1) == LUA_TSTRING) {
      const char* v = lua_tolstring(L, -1, &len);
      llmroute_compile_options_set_model_header(o, v, len);
    } else if (strcmp(key, "standard_header") == 0) {
      if (lua_toboolean(L, -1)) {
        llmroute_compile_options_set_standard_header(o, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
          const char* v = lua_tolstring(L, -1, &len);
          llmroute_compile_options_set_standard_header_name(o, v, len);
        }
      }
    } else if (strcmp(key, "allowed_backends") == 0 && lua_type(L, -1) == LUA_TSTRING &&
               enum_value(L, llmroute_allowed_backends_from_name, &value)) {
      llmroute_compile_options_set_allowed_backends(o, value);
    } else if (strcmp(key, "on_disallowed") == 0 && lua_type(L, -1) == LUA_TSTRING &&
               enum_value(L, llmroute_on_disallowed_from_name, &value)) {
      llmroute_compile_options_set_on_disallowed(o, value);
    } else if (strcmp(key, "max_body_size") == 0) {
      /* An integer (or an integral float) from 1 to 4294967295 bytes. */
      int is_integer = 0;
      lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &is_integer) : 0;
      if (!is_integer || v < 1 || v > (lua_Integer)4294967295u ||
          llmroute_compile_options_set_max_body_size(o, (size_t)v) != LLMROUTE_OK) {
        *error = "max_body_size must be an integer from 1 to 4294967295";
      }
    } else if (strcmp(key, "affinity_header") == 0 && lua_type(L, -1) == LUA_TSTRING) {
      const char* v = lua_tolstring(L, -1, &len);
      llmroute_compile_options_set_affinity_header(o, v, len);
    } else if (strcmp(key, "affinity_body_field") == 0 && lua_type(L, -1) == LUA_TSTRING) {
      const char* v = lua_tolstring(L, -1, &len);
      llmroute_compile_options_set_affinity_body_field(o, v, len);
    } else if (strcmp(key, "allowed_backends") == 0) {
      *error = "allowed_backends must be RulesOnly or SameNamespace";
    } else if (strcmp(key, "on_disallowed") == 0) {
      *error = "on_disallowed must be Reject or UseRules";
    } else {
      *error = "unknown option";
    }
    lua_pop(L, 1);
    if (*error != NULL) {
      lua_pop(L, 1); /* the key */
      llmroute_compile_options_free(o);
      return NULL;
    }
  }
  return o;
}

/* compile(L, source_index, opts_index, file_name_index, is_text) -> table or pushes nil, err,
 * kind and returns NULL (3 values on the stack). */
static llmroute_table_t* compile(lua_State* L, int source, int opts, int file_name, int is_text) {
  const char* error = NULL;
  char* message = NULL;
  llmroute_table_t* table = NULL;
  const char* text = NULL;
  const char* name = NULL;
  size_t len = 0, name_len = 0, count = 0, i;
  llmroute_string_t* paths = NULL;
  llmroute_compile_options_t* o;
  int32_t code;
  /* Everything that can raise an error comes before the options handle, which would leak. */
  if (is_text) {
    text = luaL_checklstring(L, source, &len);
    name = luaL_optlstring(L, file_name, "", &name_len);
  } else if (lua_type(L, source) != LUA_TSTRING) {
    luaL_checktype(L, source, LUA_TTABLE);
    while (lua_rawgeti(L, source, (lua_Integer)(count + 1)) != LUA_TNIL) {
      lua_pop(L, 1);
      ++count;
    }
    lua_pop(L, 1);
    /* Stays on the stack until we return. */
    paths = (llmroute_string_t*)lua_newuserdata(L, sizeof(llmroute_string_t) * (count + 1));
    for (i = 0; i < count; ++i) { /* exactly the entries counted, whatever happened since */
      int type = lua_rawgeti(L, source, (lua_Integer)(i + 1));
      if (type != LUA_TSTRING) {
        lua_pushnil(L);
        lua_pushfstring(L, "paths[%I] must be a string, not a %s", (lua_Integer)(i + 1),
                        lua_typename(L, type));
        lua_pushstring(L, "invalid_argument");
        return NULL;
      }
      paths[i].data = lua_tolstring(L, -1, &paths[i].len);
      lua_pop(L, 1); /* the string stays referenced by the list */
    }
  }
  if (!lua_isnoneornil(L, opts)) luaL_checktype(L, opts, LUA_TTABLE);
  o = make_options(L, opts, &error);
  if (o == NULL) {
    fail(L, error, "invalid_argument");
    return NULL;
  }
  if (is_text) {
    code = llmroute_table_compile_text(o, text, len, name, name_len, &table, &message);
  } else if (paths == NULL) {
    const char* path = lua_tolstring(L, source, &len);
    code = llmroute_table_compile_file(o, path, len, &table, &message);
  } else {
    code = llmroute_table_compile_files(o, paths, count, &table, &message);
  }
  llmroute_compile_options_free(o);
  if (code != LLMROUTE_OK) {
    lua_pushnil(L);
    lua_pushstring(L, message != NULL ? message : llmroute_error_name(code));
    lua_pushstring(L, llmroute_error_name(code));
    llmroute_free(message);
    return NULL;
  }
  __atomic_fetch_add(&live_tables, 1, __ATOMIC_RELAXED);
  return table;
}

/* Remembers what the router was built from, for router:reload(). */
static int save_source(lua_State* L, int source, int opts, int file_name, int is_text) {
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, source);
  lua_setfield(L, -2, is_text ? "text" : "paths");
  lua_pushvalue(L, opts);
  lua_setfield(L, -2, "opts");
  lua_pushvalue(L, file_name);
  lua_setfield(L, -2, "file_name");
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

static int new_router(lua_State* L, int is_text) {
  int file_name = is_text ? 3 : 0;
  llmroute_table_t* table;
  router_t* router;
  lua_settop(L, 3);
  if (!is_text) file_name = 3; /* unused (nil) */
  table = compile(L, 1, 2, file_name, is_text);
  if (table == NULL) return 3;
  router = (router_t*)lua_newuserdata(L, sizeof(router_t));
  router->holder = NULL;
  router->table = table;
  router->source_ref = LUA_NOREF;
  luaL_setmetatable(L, ROUTER_METATABLE);
  router->holder = llmroute_holder_create(table);
  if (router->holder == NULL) return fail(L, "out of memory", "out_of_memory");
  router->source_ref = save_source(L, 1, 2, file_name, is_text);
  return 1;
}

/* llmroute.from_file(path | {paths}, opts) */
static int l_from_file(lua_State* L) { return new_router(L, 0); }

/* llmroute.from_text(text, opts, file_name) */
static int l_from_text(lua_State* L) { return new_router(L, 1); }

static int l_version(lua_State* L) {
  lua_pushstring(L, llmroute_version());
  return 1;
}

static int l_status_name(lua_State* L) {
  lua_pushstring(L, llmroute_status_name((int32_t)luaL_checkinteger(L, 1)));
  return 1;
}

/* Entropy: a non-negative integer, an integral float below 2^63, or a decimal string for
 * the whole 64-bit range. Returns 0 when invalid. */
static int read_entropy(lua_State* L, int index, uint64_t* out) {
  if (lua_type(L, index) == LUA_TSTRING) {
    size_t len, i;
    const char* s = lua_tolstring(L, index, &len);
    uint64_t v = 0;
    if (len == 0 || len > 20) return 0;
    for (i = 0; i < len; ++i) {
      unsigned digit;
      if (s[i] < '0' || s[i] > '9') return 0;
      digit = (unsigned)(s[i] - '0');
      if (v > (UINT64_MAX - digit) / 10) return 0;
      v = v * 10 + digit;
    }
    *out = v;
    return 1;
  }
  if (lua_type(L, index) == LUA_TNUMBER) {
    lua_Integer i;
    if (lua_isinteger(L, index)) {
      i = lua_tointeger(L, index);
    } else {
      lua_Number n = lua_tonumber(L, index);
      if (!(n >= 0 && n < 9223372036854775808.0) || (lua_Number)(lua_Integer)n != n) return 0;
      i = (lua_Integer)n;
    }
    if (i < 0) return 0;
    *out = (uint64_t)i;
    return 1;
  }
  return 0;
}

/* Pushes field `name` of the request (index 2) and points *out at it. The value stays on
 * the stack until resolve returns: it may come from an __index that keeps no reference.
 * Returns 0, with an error message pushed, when it is neither nil nor a string. */
static int field_string(lua_State* L, const char* name, llmroute_string_t* out) {
  int type = lua_getfield(L, 2, name);
  out->data = NULL;
  out->len = 0;
  if (type == LUA_TNIL) return 1;
  if (type != LUA_TSTRING) {
    lua_pushfstring(L, "%s must be a string, not a %s", name, lua_typename(L, type));
    return 0;
  }
  out->data = lua_tolstring(L, -1, &out->len);
  return 1;
}

#define HEADERS_ERROR ((size_t)-1)

/* Points items[i] (when i < capacity) at the header name and value at stack indices `name`
 * and `value`, strings read raw from the headers table, which stays on the stack and so
 * keeps them alive. Returns 0, with an error message pushed, when either is not a string. */
static int set_header(lua_State* L, llmroute_header_t* items, size_t capacity, size_t i,
                      int name, int value) {
  int name_type, value_type;
  name = lua_absindex(L, name);
  value = lua_absindex(L, value);
  name_type = lua_type(L, name);
  value_type = lua_type(L, value);
  if (name_type != LUA_TSTRING) {
    lua_pushfstring(L, "header names must be strings, not a %s", lua_typename(L, name_type));
    return 0;
  }
  if (value_type != LUA_TSTRING) {
    lua_pushfstring(L, "header %s: value must be a string, not a %s", lua_tostring(L, name),
                    lua_typename(L, value_type));
    return 0;
  }
  if (i < capacity) {
    items[i].name.data = lua_tolstring(L, name, &items[i].name.len);
    items[i].value.data = lua_tolstring(L, value, &items[i].value.len);
  }
  return 1;
}

/* Fills up to `capacity` headers from the table at absolute index `list` ({ name = value or
 * { values } } or { { name, value }, ... }) and returns how many there are in all, or
 * HEADERS_ERROR with an error message pushed. Lists are read raw up to their first nil. */
static size_t collect_headers(lua_State* L, int list, llmroute_header_t* items,
                              size_t capacity) {
  size_t count = 0;
  if (lua_rawgeti(L, list, 1) != LUA_TNIL) { /* a list of { name, value } pairs */
    lua_Integer k;
    lua_pop(L, 1);
    for (k = 1;; ++k) {
      int type = lua_rawgeti(L, list, k);
      if (type == LUA_TNIL) break;
      if (type != LUA_TTABLE) {
        lua_pushfstring(L, "headers[%I] must be a { name, value } pair, not a %s", k,
                        lua_typename(L, type));
        return HEADERS_ERROR;
      }
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      if (!set_header(L, items, capacity, count++, -2, -1)) return HEADERS_ERROR;
      lua_pop(L, 3);
    }
    lua_pop(L, 1);
    return count;
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, list) != 0) {
    if (lua_type(L, -1) == LUA_TTABLE) {
      lua_Integer k;
      for (k = 1; lua_rawgeti(L, -1, k) != LUA_TNIL; ++k) {
        if (!set_header(L, items, capacity, count++, -3, -1)) return HEADERS_ERROR;
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    } else if (!set_header(L, items, capacity, count++, -2, -1)) {
      return HEADERS_ERROR;
    }
    lua_pop(L, 1);
  }
  return count;
}

/* Returns nil and the error message on top of the stack. */
static int fail_with_top(lua_State* L) {
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

/* Sets field `name` of the table below the top to the value on top (popped). A nil is
 * stored only over a value: storing nil into an absent key would insert a dead key, and a
 * reused `out` table would rehash on every call. */
static void set_or_clear(lua_State* L, const char* name) {
  if (lua_isnil(L, -1)) {
    if (lua_getfield(L, -2, name) == LUA_TNIL) {
      lua_pop(L, 2);
      return;
    }
    lua_pop(L, 1);
  }
  lua_setfield(L, -2, name);
}

static void push_mutations(lua_State* L, const llmroute_decision_t* d);

/* Reads the request table at index 2 into `request`: its strings stay on the Lua stack,
 * its headers go into `on_stack` or, when there are more, a userdata left on the stack,
 * until the caller returns. Returns 0, or the count of results pushed (nil and a message)
 * for a bad value. */
static int read_request(lua_State* L, llmroute_request_t* request, llmroute_header_t* on_stack) {
  memset(request, 0, sizeof(*request));
  request->struct_size = sizeof(*request);
  /* The four values stay on the stack until the caller is done with the request. */
  if (!field_string(L, "method", &request->method) || !field_string(L, "host", &request->host) ||
      !field_string(L, "path", &request->path) || !field_string(L, "body", &request->body)) {
    return fail_with_top(L);
  }
  if (lua_getfield(L, 2, "entropy") != LUA_TNIL) {
    if (!read_entropy(L, -1, &request->entropy)) {
      lua_pushnil(L);
      lua_pushstring(L, "entropy must be an integer in [0, 2^64)");
      return 2;
    }
    request->has_entropy = 1;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, 2, "health") != LUA_TNIL) {
    request->health = *(llmroute_health_t**)luaL_checkudata(L, -1, HEALTH_METATABLE);
  }
  lua_pop(L, 1); /* the view stays referenced by `req` during the call */

  request->headers = on_stack;
  if (lua_getfield(L, 2, "headers") == LUA_TTABLE) {
    const int list = lua_gettop(L);
    size_t count = collect_headers(L, list, on_stack, STACK_HEADERS);
    if (count == HEADERS_ERROR) return fail_with_top(L);
    if (count > STACK_HEADERS) { /* rare: a buffer that lives on the stack until we return */
      const size_t capacity = count;
      llmroute_header_t* items =
          (llmroute_header_t*)lua_newuserdata(L, sizeof(llmroute_header_t) * capacity);
      /* A finalizer run by that allocation could have changed the table: never pass on
       * more than the buffer holds. */
      count = collect_headers(L, list, items, capacity);
      if (count == HEADERS_ERROR) return fail_with_top(L);
      if (count > capacity) count = capacity;
      request->headers = items;
    }
    request->header_count = count;
  }
  return 0;
}

/* router:resolve(req [, out]) -> decision | nil, err */
static int l_resolve(lua_State* L) {
  router_t* router = check_router(L);
  llmroute_header_t on_stack[STACK_HEADERS];
  llmroute_request_t request;
  llmroute_decision_t d;
  int32_t code;
  size_t i;
  luaL_checktype(L, 2, LUA_TTABLE);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  if (router->table == NULL) return push_closed(L);
  {
    const int failed = read_request(L, &request, on_stack);
    if (failed) return failed;
  }

  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  code = llmroute_resolve(router->table, &request, &d);
  if (code != LLMROUTE_OK) {
    lua_pushnil(L);
    lua_pushstring(L, llmroute_error_name(code));
    return 2;
  }

  /* The request's strings stay below on the stack: the model may point into them. */
  if (lua_isnil(L, 3)) {
    lua_createtable(L, 0, 12);
  } else {
    lua_pushvalue(L, 3);
  }
  lua_pushstring(L, llmroute_status_name(d.status));
  set_or_clear(L, "status");
  lua_pushinteger(L, d.http_status);
  set_or_clear(L, "http_status");
  if (d.via == LLMROUTE_VIA_NONE) {
    lua_pushnil(L);
  } else {
    lua_pushstring(L, llmroute_via_name(d.via));
  }
  set_or_clear(L, "via");
  push_name(L, &d.backend);
  set_or_clear(L, "backend");
  push_name(L, &d.route);
  set_or_clear(L, "route");
  if (d.rule >= 0) lua_pushinteger(L, d.rule); else lua_pushnil(L);
  set_or_clear(L, "rule");
  push_string(L, d.rule_name);
  set_or_clear(L, "rule_name");
  if (d.match >= 0) lua_pushinteger(L, d.match); else lua_pushnil(L);
  set_or_clear(L, "match");
  push_string(L, d.model);
  set_or_clear(L, "model");
  push_string(L, d.model_override);
  set_or_clear(L, "model_override");
  push_string(L, d.reason);
  set_or_clear(L, "reason");
  lua_createtable(L, (int)d.fallback_count, 0);
  for (i = 0; i < d.fallback_count; ++i) {
    llmroute_name_t name;
    llmroute_string_t override;
    llmroute_decision_fallback(&d, i, &name);
    llmroute_decision_fallback_override(&d, i, &override);
    push_name(L, &name);
    if (override.data != NULL) {
      push_string(L, override);
      lua_setfield(L, -2, "model_override");
    }
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
  set_or_clear(L, "fallbacks");
  if (d.backend.name.data != NULL) {
    lua_pushstring(L, llmroute_backend_kind_name(d.backend_kind));
  } else {
    lua_pushnil(L);
  }
  set_or_clear(L, "backend_kind");
  push_mutations(L, &d);
  set_or_clear(L, "mutations");
  if (d.has_retry) {
    lua_createtable(L, 0, 3);
    lua_createtable(L, (int)d.retry_code_count, 0);
    for (i = 0; i < d.retry_code_count; ++i) {
      lua_pushinteger(L, d.retry_codes[i]);
      lua_rawseti(L, -2, (lua_Integer)(i + 1));
    }
    lua_setfield(L, -2, "codes");
    lua_pushinteger(L, (lua_Integer)d.retry_attempts);
    lua_setfield(L, -2, "attempts");
    lua_pushinteger(L, (lua_Integer)d.retry_backoff_ms);
    lua_setfield(L, -2, "backoff_ms");
  } else {
    lua_pushnil(L);
  }
  set_or_clear(L, "retry");
  lua_pushboolean(L, d.affinity != 0);
  lua_setfield(L, -2, "affinity");
  lua_pushboolean(L, d.panic != 0);
  lua_setfield(L, -2, "panic");
  return 1;
}

/* router:explain(req) -> text | nil, err */
static int l_explain(lua_State* L) {
  router_t* router = check_router(L);
  llmroute_header_t on_stack[STACK_HEADERS];
  llmroute_request_t request;
  char* text = NULL;
  size_t len = 0;
  char* error = NULL;
  int32_t code;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  if (router->table == NULL) return push_closed(L);
  {
    const int failed = read_request(L, &request, on_stack);
    if (failed) return failed;
  }
  code = llmroute_explain(router->table, &request, &text, &len, &error);
  if (code != LLMROUTE_OK) {
    lua_pushnil(L);
    lua_pushstring(L, error != NULL ? error : llmroute_error_name(code));
    llmroute_free(error);
    return 2;
  }
  lua_pushlstring(L, text, len);
  llmroute_free(text);
  return 1;
}

/* llmroute.next_attempt(decision, attempts_made, last_status) -> backend, model_override
 * | nil (also router:next_attempt). The rule of llmroute_next_attempt, over the decision
 * table's `retry` and `fallbacks`: fallbacks[attempts_made] when the decision has a retry
 * policy, attempts_made <= retry.attempts, last_status is 0 or in retry.codes, and that
 * fallback exists; else nil. */
/* No next attempt: one nil. */
static int no_attempt(lua_State* L) {
  lua_pushnil(L);
  return 1;
}

static int next_attempt_at(lua_State* L, int decision) {
  const lua_Integer attempts_made = luaL_checkinteger(L, decision + 1);
  const lua_Integer last_status = luaL_checkinteger(L, decision + 2);
  lua_Integer n, k;
  int listed = last_status == 0;
  luaL_checktype(L, decision, LUA_TTABLE);
  if (lua_getfield(L, decision, "retry") != LUA_TTABLE) return no_attempt(L);
  const int retry = lua_gettop(L);
  lua_getfield(L, retry, "attempts");
  if (attempts_made < 1 || attempts_made > luaL_checkinteger(L, -1)) return no_attempt(L);
  if (lua_getfield(L, retry, "codes") == LUA_TTABLE) {
    n = luaL_len(L, -1);
    for (k = 1; k <= n && !listed; ++k) {
      lua_rawgeti(L, -1, k);
      listed = lua_tointeger(L, -1) == last_status;
      lua_pop(L, 1);
    }
  }
  if (!listed) return no_attempt(L);
  if (lua_getfield(L, decision, "fallbacks") != LUA_TTABLE) return no_attempt(L);
  if (lua_rawgeti(L, -1, attempts_made) != LUA_TTABLE) return no_attempt(L);
  const int fallback = lua_gettop(L);
  lua_createtable(L, 0, 2);
  lua_getfield(L, fallback, "namespace");
  lua_setfield(L, -2, "namespace");
  lua_getfield(L, fallback, "name");
  lua_setfield(L, -2, "name");
  lua_getfield(L, fallback, "model_override");
  return 2;
}

static int l_next_attempt(lua_State* L) { return next_attempt_at(L, 1); }

static int l_router_next_attempt(lua_State* L) {
  check_router(L);
  return next_attempt_at(L, 2);
}


/* One list of (name, value) pairs of a decision's mutations, pushed as { {name, value}, ... }. */
static void push_pairs(lua_State* L, const llmroute_decision_t* d, size_t n,
                       int32_t (*get)(const llmroute_decision_t*, size_t, llmroute_string_t*,
                                      llmroute_string_t*)) {
  size_t i;
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; ++i) {
    llmroute_string_t a, b;
    get(d, i, &a, &b);
    lua_createtable(L, 2, 0);
    push_string(L, a);
    lua_rawseti(L, -2, 1);
    push_string(L, b);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
}

static void push_names(lua_State* L, const llmroute_decision_t* d, size_t n,
                       int32_t (*get)(const llmroute_decision_t*, size_t, llmroute_string_t*)) {
  size_t i;
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; ++i) {
    llmroute_string_t a;
    get(d, i, &a);
    push_string(L, a);
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
}

/* The table's strings get(table, 0 .. n-1) as an array. */
static void push_table_strings(lua_State* L, const llmroute_table_t* table, size_t n,
                               int32_t (*get)(const llmroute_table_t*, size_t,
                                              llmroute_string_t*)) {
  size_t i;
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; ++i) {
    llmroute_string_t s;
    get(table, i, &s);
    push_string(L, s);
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
}

/* The decision's mutations as { header_set =, header_remove =, body_set =, body_remove = },
 * or nil when it has none. */
static void push_mutations(lua_State* L, const llmroute_decision_t* d) {
  if (d->mutations == NULL) {
    lua_pushnil(L);
    return;
  }
  lua_createtable(L, 0, 4);
  push_pairs(L, d, d->header_set_count, llmroute_decision_header_set);
  lua_setfield(L, -2, "header_set");
  push_names(L, d, d->header_remove_count, llmroute_decision_header_remove);
  lua_setfield(L, -2, "header_remove");
  push_pairs(L, d, d->body_set_count, llmroute_decision_body_set);
  lua_setfield(L, -2, "body_set");
  push_names(L, d, d->body_remove_count, llmroute_decision_body_remove);
  lua_setfield(L, -2, "body_remove");
}

/* router:models([host]) -> { { model =, route =, owned_by =, created = }, ... } */

/* llmroute.health([now_ms]) -> a health view (a manual clock with now_ms, for tests) */
static int l_health(lua_State* L) {
  const int manual = !lua_isnoneornil(L, 1);
  const int64_t now_ms = manual ? (int64_t)luaL_checkinteger(L, 1) : 0;
  llmroute_health_t** h = (llmroute_health_t**)lua_newuserdata(L, sizeof(llmroute_health_t*));
  *h = NULL;
  luaL_setmetatable(L, HEALTH_METATABLE);
  *h = manual ? llmroute_health_create_manual_clock(now_ms) : llmroute_health_create();
  if (*h == NULL) return fail(L, "out of memory", "out_of_memory");
  return 1;
}

static llmroute_health_t* check_health(lua_State* L) {
  llmroute_health_t* h = *(llmroute_health_t**)luaL_checkudata(L, 1, HEALTH_METATABLE);
  if (h == NULL) luaL_error(L, "health view is freed");
  return h;
}

static int health_result(lua_State* L, int32_t code) {
  if (code == LLMROUTE_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushnil(L);
  lua_pushstring(L, llmroute_error_name(code));
  return 2;
}

/* health:mark_down(ns, name [, for_ms]) -> true | nil, err */
static int l_health_mark_down(lua_State* L) {
  llmroute_health_t* h = check_health(L);
  size_t ns_len, name_len;
  const char* ns = luaL_checklstring(L, 2, &ns_len);
  const char* name = luaL_checklstring(L, 3, &name_len);
  if (lua_isnoneornil(L, 4)) {
    return health_result(L, llmroute_health_mark_down(h, ns, ns_len, name, name_len));
  }
  return health_result(L, llmroute_health_mark_down_for(h, ns, ns_len, name, name_len,
                                                        (int64_t)luaL_checkinteger(L, 4)));
}

static int l_health_mark_up(lua_State* L) {
  llmroute_health_t* h = check_health(L);
  size_t ns_len, name_len;
  const char* ns = luaL_checklstring(L, 2, &ns_len);
  const char* name = luaL_checklstring(L, 3, &name_len);
  return health_result(L, llmroute_health_mark_up(h, ns, ns_len, name, name_len));
}

/* health:state(ns, name) -> down, down_until_ms | nil */
static int l_health_state(lua_State* L) {
  llmroute_health_t* h = check_health(L);
  size_t ns_len, name_len;
  int32_t down = 0;
  int64_t until_ms = -1;
  const char* ns = luaL_checklstring(L, 2, &ns_len);
  const char* name = luaL_checklstring(L, 3, &name_len);
  llmroute_health_state(h, ns, ns_len, name, name_len, &down, &until_ms);
  lua_pushboolean(L, down != 0);
  if (until_ms >= 0) lua_pushinteger(L, (lua_Integer)until_ms); else lua_pushnil(L);
  return 2;
}

static int l_health_set_now(lua_State* L) {
  llmroute_health_t* h = check_health(L);
  return health_result(L, llmroute_health_set_now(h, (int64_t)luaL_checkinteger(L, 2)));
}

static int l_health_gc(lua_State* L) {
  llmroute_health_t** h = (llmroute_health_t**)luaL_checkudata(L, 1, HEALTH_METATABLE);
  llmroute_health_free(*h);
  *h = NULL;
  return 0;
}

static const luaL_Reg health_methods[] = {{"mark_down", l_health_mark_down},
                                          {"mark_up", l_health_mark_up},
                                          {"state", l_health_state},
                                          {"set_now", l_health_set_now},
                                          {NULL, NULL}};

static int l_models(lua_State* L) {
  router_t* router = check_router(L);
  size_t i, n, host_len = 0;
  const char* host = luaL_optlstring(L, 2, NULL, &host_len);
  if (router->table == NULL) return push_closed(L);
  n = host == NULL ? llmroute_table_model_count(router->table)
                   : llmroute_table_host_model_count(router->table, host, host_len);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; ++i) {
    llmroute_model_t model;
    if (host == NULL) {
      llmroute_table_model_info(router->table, i, &model);
    } else {
      llmroute_table_host_model(router->table, host, host_len, i, &model);
    }
    lua_createtable(L, 0, 4);
    push_string(L, model.id);
    lua_setfield(L, -2, "model");
    push_name(L, &model.route);
    lua_setfield(L, -2, "route");
    push_string(L, model.owned_by);
    lua_setfield(L, -2, "owned_by");
    lua_pushinteger(L, (lua_Integer)model.created);
    lua_setfield(L, -2, "created");
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
  return 1;
}

static int l_warnings(lua_State* L) {
  router_t* router = check_router(L);
  if (router->table == NULL) return push_closed(L);
  push_table_strings(L, router->table, llmroute_table_warning_count(router->table),
                     llmroute_table_warning);
  return 1;
}

static int l_model_header(lua_State* L) {
  router_t* router = check_router(L);
  llmroute_string_t name;
  if (router->table == NULL) return push_closed(L);
  llmroute_table_model_header(router->table, &name);
  push_string(L, name);
  return 1;
}

/* router:owned_headers() -> { "x-ai-eg-model", ... } */
static int l_owned_headers(lua_State* L) {
  router_t* router = check_router(L);
  if (router->table == NULL) return push_closed(L);
  push_table_strings(L, router->table, llmroute_table_owned_header_count(router->table),
                     llmroute_table_owned_header);
  return 1;
}

/* llmroute.upstream_model(decision) -> the decision's model_override when it has one, else
 * its model (nil: send no model header). */
static int l_upstream_model(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (lua_getfield(L, 1, "model_override") != LUA_TNIL) return 1;
  lua_pop(L, 1);
  lua_getfield(L, 1, "model");
  return 1;
}

static int l_generation(lua_State* L) {
  router_t* router = check_router(L);
  if (router->holder == NULL) return push_closed(L);
  lua_pushinteger(L, (lua_Integer)llmroute_holder_generation(router->holder));
  return 1;
}

/* Compiles from the arguments at 2.. and swaps the new table in. */
static int reload_with(lua_State* L, int is_text) {
  router_t* router = check_router(L);
  llmroute_table_t* table;
  if (router->holder == NULL) return push_closed(L);
  lua_settop(L, 4);
  table = compile(L, 2, 3, 4, is_text);
  if (table == NULL) return 3;
  llmroute_holder_swap(router->holder, table);
  release_table(router->table);
  router->table = table;
  luaL_unref(L, LUA_REGISTRYINDEX, router->source_ref);
  router->source_ref = save_source(L, 2, 3, 4, is_text);
  lua_pushboolean(L, 1);
  return 1;
}

/* router:reload_file(path | {paths}, opts) */
static int l_reload_file(lua_State* L) { return reload_with(L, 0); }

/* router:reload_text(text, opts, file_name) */
static int l_reload_text(lua_State* L) { return reload_with(L, 1); }

/* router:reload(): the same source and options again. */
static int l_reload(lua_State* L) {
  router_t* router = check_router(L);
  int is_text;
  lua_settop(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, router->source_ref);
  if (!lua_istable(L, 2)) return push_closed(L);
  is_text = lua_getfield(L, 2, "text") != LUA_TNIL;
  if (!is_text) {
    lua_pop(L, 1);
    lua_getfield(L, 2, "paths");
  }
  lua_getfield(L, 2, "opts");
  lua_getfield(L, 2, "file_name");
  lua_remove(L, 2); /* stack: router, source, opts, file_name */
  return reload_with(L, is_text);
}

static int l_close(lua_State* L) {
  router_t* router = (router_t*)luaL_checkudata(L, 1, ROUTER_METATABLE);
  llmroute_holder_free(router->holder);
  release_table(router->table);
  router->holder = NULL;
  router->table = NULL;
  luaL_unref(L, LUA_REGISTRYINDEX, router->source_ref);
  router->source_ref = LUA_NOREF;
  return 0;
}

static const luaL_Reg router_methods[] = {
    {"resolve", l_resolve},         {"models", l_models},
    {"explain", l_explain},         {"next_attempt", l_router_next_attempt},
    {"warnings", l_warnings},       {"model_header", l_model_header},
    {"generation", l_generation},   {"reload", l_reload},
    {"reload_file", l_reload_file}, {"reload_text", l_reload_text},
    {"owned_headers", l_owned_headers},
    {"close", l_close},             {NULL, NULL}};

static const luaL_Reg functions[] = {{"from_file", l_from_file},
                                     {"from_text", l_from_text},
                                     {"version", l_version},
                                     {"status_name", l_status_name},
                                     {"_live_tables", l_live_tables},
                                     {"upstream_model", l_upstream_model},
                                     {"next_attempt", l_next_attempt},
                                     {"health", l_health},
                                     {NULL, NULL}};

/* The module's one exported symbol (the rest is hidden). */
__attribute__((visibility("default"))) int luaopen_llmroute(lua_State* L) {
  if (luaL_newmetatable(L, ROUTER_METATABLE)) {
    luaL_newlib(L, router_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_close);
    lua_setfield(L, -2, "__gc");
#if LUA_VERSION_NUM >= 504
    lua_pushcfunction(L, l_close);
    lua_setfield(L, -2, "__close");
#endif
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, HEALTH_METATABLE)) {
    luaL_newlib(L, health_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_health_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  luaL_newlib(L, functions);
  lua_pushstring(L, llmroute_version()); /* the library's: the module has none of its own */
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
