-- llmroute for LuaJIT (OpenResty, or plain luajit) through the FFI: which backend gets this
-- LLM request?
--
--   local llmroute = require "llmroute"
--   local router, err = llmroute.from_file("/etc/llmroute/routes.yaml",
--                                          { standard_header = true })
--   if not router then ngx.log(ngx.ERR, err) return end
--   local d = router:resolve({ method = "POST", path = "/v1/chat/completions",
--                              headers = ngx.req.get_headers() })
--   if d.status == "routed" then ... d.backend.namespace, d.backend.name ... end
--
-- The same API as the Lua C module (llmroute_lua.c, for Lua 5.3/5.4 and HAProxy).
-- Failures return nil, err (and the error kind as a third value); wrong argument types
-- raise errors. A request field, header name or header value that is not a string (a
-- number included: nothing is converted) and a path list entry that is not a string are
-- failures too. Lists (paths, header pairs, a header's values) are read raw up to their
-- first nil: __len and __index are not consulted. The shared library is loaded from
-- $LLMROUTE_LIBRARY, else libllmroute.so.0 / libllmroute.so on the system library path.
local ffi = require "ffi"

local C_string = ffi.string
local ffi_new = ffi.new
local ffi_gc = ffi.gc
local type = type
local pairs = pairs
local tostring = tostring
local setmetatable = setmetatable
local rawget = rawget
local str_byte = string.byte
local ok_new_tab, new_tab = pcall(require, "table.new")
if not ok_new_tab then new_tab = function() return {} end end

-- The declarations of llmroute/c.h between its BEGIN and END markers (without comments).
ffi.cdef [[
typedef struct llmroute_compile_options_t llmroute_compile_options_t;
typedef struct llmroute_table_t llmroute_table_t;
typedef struct llmroute_holder_t llmroute_holder_t;
typedef struct llmroute_health_t llmroute_health_t;
enum llmroute_error {
  LLMROUTE_OK = 0, LLMROUTE_ERROR_INVALID_ARGUMENT = 1, LLMROUTE_ERROR_CONFIG = 2,
  LLMROUTE_ERROR_NOT_FOUND = 3, LLMROUTE_ERROR_PERMISSION_DENIED = 4, LLMROUTE_ERROR_IO = 5,
  LLMROUTE_ERROR_OUT_OF_MEMORY = 6, LLMROUTE_ERROR_INTERNAL = 7
};
enum llmroute_status {
  LLMROUTE_STATUS_ROUTED = 0, LLMROUTE_STATUS_NO_ROUTE = 1,
  LLMROUTE_STATUS_BACKEND_NOT_ALLOWED = 2, LLMROUTE_STATUS_BAD_REQUEST = 3,
  LLMROUTE_STATUS_NO_BACKEND = 4
};
enum llmroute_via { LLMROUTE_VIA_NONE = 0, LLMROUTE_VIA_RULE = 1, LLMROUTE_VIA_STANDARD_HEADER = 2 };
enum llmroute_allowed_backends { LLMROUTE_ALLOWED_RULES_ONLY = 0, LLMROUTE_ALLOWED_SAME_NAMESPACE = 1 };
enum llmroute_on_disallowed { LLMROUTE_ON_DISALLOWED_REJECT = 0, LLMROUTE_ON_DISALLOWED_USE_RULES = 1 };
enum llmroute_backend_kind { LLMROUTE_BACKEND_KIND_BACKEND = 0, LLMROUTE_BACKEND_KIND_INFERENCE_POOL = 1 };
typedef struct llmroute_string_t { const char* data; size_t len; } llmroute_string_t;
typedef struct llmroute_name_t { llmroute_string_t ns; llmroute_string_t name; } llmroute_name_t;
typedef struct llmroute_header_t { llmroute_string_t name; llmroute_string_t value; } llmroute_header_t;
typedef struct llmroute_request_t {
  size_t struct_size;
  llmroute_string_t method;
  llmroute_string_t host;
  llmroute_string_t path;
  const llmroute_header_t* headers;
  size_t header_count;
  llmroute_string_t body;
  size_t body_padding;
  uint64_t entropy;
  int32_t has_entropy;
  int32_t reserved;
  const llmroute_health_t* health;
} llmroute_request_t;
typedef struct llmroute_decision_t {
  size_t struct_size;
  int32_t status;
  int32_t http_status;
  int32_t via;
  int32_t rule;
  int32_t match;
  int32_t reserved;
  llmroute_name_t backend;
  llmroute_name_t route;
  llmroute_string_t rule_name;
  llmroute_string_t model;
  llmroute_string_t model_override;
  llmroute_string_t reason;
  size_t fallback_count;
  const void* fallbacks;
  int32_t backend_kind;
  int32_t reserved2;
  size_t header_set_count;
  size_t header_remove_count;
  size_t body_set_count;
  size_t body_remove_count;
  const void* mutations;
  int32_t has_retry;
  uint32_t retry_attempts;
  uint64_t retry_backoff_ms;
  const uint16_t* retry_codes;
  size_t retry_code_count;
  int32_t affinity;
  int32_t panic;
} llmroute_decision_t;
typedef struct llmroute_model_t {
  llmroute_string_t id;
  llmroute_name_t route;
  llmroute_string_t owned_by;
  int64_t created;
} llmroute_model_t;
const char* llmroute_version(void);
int32_t llmroute_version_number(void);
const char* llmroute_error_name(int32_t code);
const char* llmroute_status_name(int32_t status);
const char* llmroute_via_name(int32_t via);
int32_t llmroute_http_status(int32_t status);
void llmroute_free(void* ptr);
llmroute_compile_options_t* llmroute_compile_options_create(void);
void llmroute_compile_options_free(llmroute_compile_options_t* options);
int32_t llmroute_compile_options_set_model_header(llmroute_compile_options_t* options, const char* name, size_t name_len);
int32_t llmroute_compile_options_set_standard_header(llmroute_compile_options_t* options, int32_t enabled);
int32_t llmroute_compile_options_set_standard_header_name(llmroute_compile_options_t* options, const char* name, size_t name_len);
int32_t llmroute_compile_options_set_allowed_backends(llmroute_compile_options_t* options, int32_t policy);
int32_t llmroute_compile_options_set_on_disallowed(llmroute_compile_options_t* options, int32_t action);
int32_t llmroute_allowed_backends_from_name(const char* name, size_t name_len, int32_t* out);
int32_t llmroute_on_disallowed_from_name(const char* name, size_t name_len, int32_t* out);
int32_t llmroute_compile_options_set_max_body_size(llmroute_compile_options_t* options, size_t max_body_size);
int32_t llmroute_table_compile_text(const llmroute_compile_options_t* options, const char* text, size_t text_len, const char* file_name, size_t file_name_len, llmroute_table_t** table, char** errptr);
int32_t llmroute_table_compile_file(const llmroute_compile_options_t* options, const char* path, size_t path_len, llmroute_table_t** table, char** errptr);
int32_t llmroute_table_compile_files(const llmroute_compile_options_t* options, const llmroute_string_t* paths, size_t path_count, llmroute_table_t** table, char** errptr);
llmroute_table_t* llmroute_table_ref(llmroute_table_t* table);
void llmroute_table_free(llmroute_table_t* table);
int32_t llmroute_resolve(const llmroute_table_t* table, const llmroute_request_t* request, llmroute_decision_t* out);
int32_t llmroute_decision_fallback(const llmroute_decision_t* decision, size_t index, llmroute_name_t* out);
int32_t llmroute_decision_header_set(const llmroute_decision_t* decision, size_t index, llmroute_string_t* name, llmroute_string_t* value);
int32_t llmroute_decision_header_remove(const llmroute_decision_t* decision, size_t index, llmroute_string_t* name);
int32_t llmroute_decision_body_set(const llmroute_decision_t* decision, size_t index, llmroute_string_t* path, llmroute_string_t* value);
int32_t llmroute_decision_body_remove(const llmroute_decision_t* decision, size_t index, llmroute_string_t* path);
const char* llmroute_backend_kind_name(int32_t kind);
int32_t llmroute_decision_fallback_override(const llmroute_decision_t* decision, size_t index, llmroute_string_t* model_override);
int32_t llmroute_next_attempt(const llmroute_decision_t* decision, uint32_t attempts_made, int32_t last_status, llmroute_name_t* backend, llmroute_string_t* model_override);
int32_t llmroute_explain(const llmroute_table_t* table, const llmroute_request_t* request, char** text, size_t* len, char** errptr);
size_t llmroute_table_model_count(const llmroute_table_t* table);
int32_t llmroute_table_model(const llmroute_table_t* table, size_t index, llmroute_string_t* model, llmroute_name_t* route);
int32_t llmroute_table_model_info(const llmroute_table_t* table, size_t index, llmroute_model_t* out);
size_t llmroute_table_host_model_count(const llmroute_table_t* table, const char* host, size_t host_len);
int32_t llmroute_table_host_model(const llmroute_table_t* table, const char* host, size_t host_len, size_t index, llmroute_model_t* out);
size_t llmroute_table_warning_count(const llmroute_table_t* table);
int32_t llmroute_table_warning(const llmroute_table_t* table, size_t index, llmroute_string_t* message);
int32_t llmroute_table_model_header(const llmroute_table_t* table, llmroute_string_t* name);
size_t llmroute_table_owned_header_count(const llmroute_table_t* table);
int32_t llmroute_table_owned_header(const llmroute_table_t* table, size_t index, llmroute_string_t* name);
int32_t llmroute_decision_upstream_model(const llmroute_decision_t* decision, llmroute_string_t* model);
llmroute_holder_t* llmroute_holder_create(llmroute_table_t* initial);
void llmroute_holder_free(llmroute_holder_t* holder);
int32_t llmroute_holder_swap(llmroute_holder_t* holder, llmroute_table_t* next);
llmroute_table_t* llmroute_holder_acquire(const llmroute_holder_t* holder);
uint64_t llmroute_holder_generation(const llmroute_holder_t* holder);
int32_t llmroute_compile_options_set_affinity_header(llmroute_compile_options_t* options, const char* name, size_t name_len);
int32_t llmroute_compile_options_set_affinity_body_field(llmroute_compile_options_t* options, const char* name, size_t name_len);
llmroute_health_t* llmroute_health_create(void);
typedef int64_t (*llmroute_clock_fn)(void* context);
llmroute_health_t* llmroute_health_create_with_clock(llmroute_clock_fn now_ms, void* context);
llmroute_health_t* llmroute_health_create_manual_clock(int64_t now_ms);
int32_t llmroute_health_set_now(llmroute_health_t* health, int64_t now_ms);
void llmroute_health_free(llmroute_health_t* health);
int32_t llmroute_health_mark_down(llmroute_health_t* health, const char* ns, size_t ns_len, const char* name, size_t name_len);
int32_t llmroute_health_mark_down_for(llmroute_health_t* health, const char* ns, size_t ns_len, const char* name, size_t name_len, int64_t milliseconds);
int32_t llmroute_health_mark_up(llmroute_health_t* health, const char* ns, size_t ns_len, const char* name, size_t name_len);
int32_t llmroute_health_state(const llmroute_health_t* health, const char* ns, size_t ns_len, const char* name, size_t name_len, int32_t* down, int64_t* down_until_ms);
]]

local function load_library()
  local tried = {}
  local candidates = {}
  local env = os.getenv("LLMROUTE_LIBRARY")
  if env and env ~= "" then candidates[#candidates + 1] = env end
  candidates[#candidates + 1] = "libllmroute.so.0"
  candidates[#candidates + 1] = "libllmroute.so"
  for _, name in ipairs(candidates) do
    local ok, lib = pcall(ffi.load, name)
    if ok then return lib, name end
    tried[#tried + 1] = name .. " (" .. tostring(lib) .. ")"
  end
  error("llmroute: cannot load the shared library; set LLMROUTE_LIBRARY to its path. Tried: "
        .. table.concat(tried, "; "), 2)
end

local C, library_path = load_library()

-- _VERSION is the library's: the module has no version of its own.
local _M = { _VERSION = C_string(C.llmroute_version()), library_path = library_path }

local OK = 0
local READ_ONLY = { __newindex = function() error("read-only", 2) end }
local EMPTY = setmetatable({}, READ_ONLY)
local STATUS = { [0] = "routed", "no_route", "backend_not_allowed", "bad_request", "no_backend" }
local VIA = { [0] = nil, "rule", "standard_header" }

-- Reused for every call: no garbage but the decision's strings and table.
local request = ffi_new("llmroute_request_t")
local decision = ffi_new("llmroute_decision_t")
local name_buf = ffi_new("llmroute_name_t")
local string_buf = ffi_new("llmroute_string_t")
local value_buf = ffi_new("llmroute_string_t")
local model_buf = ffi_new("llmroute_model_t")
local BACKEND_KIND = { [0] = "Backend", "InferencePool" }
local table_out = ffi_new("llmroute_table_t*[1]")
local errptr = ffi_new("char*[1]")
local enum_out = ffi_new("int32_t[1]")

-- The C value the library gives a policy's name (from_name: a llmroute_*_from_name), or nil.
local function enum_value(from_name, v)
  if type(v) ~= "string" or from_name(v, #v, enum_out) ~= OK then return nil end
  return enum_out[0]
end
local header_capacity = 64
local headers_buf = ffi_new("llmroute_header_t[?]", header_capacity)
local header_values = {}  -- the Lua strings of this call's header values, by index
decision.struct_size = ffi.sizeof(decision)

local function str(s)  -- llmroute_string_t -> Lua string or nil
  if s.data == nil then return nil end
  return C_string(s.data, s.len)
end

local new_cache

local function name_of(n)  -- llmroute_name_t -> { namespace, name } or nil
  if n.name.data == nil then return nil end
  return { namespace = C_string(n.ns.data, n.ns.len), name = C_string(n.name.data, n.name.len) }
end

function _M.version()
  return C_string(C.llmroute_version())
end

-- llmroute.upstream_model(decision) -> the model header's value for the upstream request,
-- replacing the client's: the decision's model_override when it has one, else its model;
-- nil: send no model header.
function _M.upstream_model(d)
  local override = d.model_override
  if override ~= nil then return override end
  return d.model
end

function _M.status_name(code)
  return C_string(C.llmroute_status_name(code))
end

local function options_handle(opts)
  local o = C.llmroute_compile_options_create()
  if o == nil then return nil, "out of memory" end
  o = ffi_gc(o, C.llmroute_compile_options_free)
  if opts == nil then return o end
  if type(opts) ~= "table" then error("options must be a table", 3) end
  for k, v in pairs(opts) do
    if k == "model_header" then
      C.llmroute_compile_options_set_model_header(o, v, #v)
    elseif k == "standard_header" then
      if v then
        C.llmroute_compile_options_set_standard_header(o, 1)
        if type(v) == "string" then
          C.llmroute_compile_options_set_standard_header_name(o, v, #v)
        end
      end
    elseif k == "allowed_backends" then
      local policy = enum_value(C.llmroute_allowed_backends_from_name, v)
      if policy == nil then return nil, "allowed_backends must be RulesOnly or SameNamespace" end
      C.llmroute_compile_options_set_allowed_backends(o, policy)
    elseif k == "on_disallowed" then
      local action = enum_value(C.llmroute_on_disallowed_from_name, v)
      if action == nil then return nil, "on_disallowed must be Reject or UseRules" end
      C.llmroute_compile_options_set_on_disallowed(o, action)
    elseif k == "max_body_size" then
      if type(v) ~= "number" or v % 1 ~= 0 or v < 1 or v > 4294967295
          or C.llmroute_compile_options_set_max_body_size(o, v) ~= OK then
        return nil, "max_body_size must be an integer from 1 to 4294967295"
      end
    elseif k == "affinity_header" then
      if opts.affinity_body_field ~= nil then
        return nil, "give affinity_header or affinity_body_field, not both"
      end
      C.llmroute_compile_options_set_affinity_header(o, v, #v)
    elseif k == "affinity_body_field" then
      C.llmroute_compile_options_set_affinity_body_field(o, v, #v)
    else
      return nil, "unknown option: " .. tostring(k)
    end
  end
  return o
end

-- Table references this module holds, for the tests: each is released exactly once, by
-- release_table (explicitly on reload and close, else by the collector).
local live_tables = 0

local function release_table(tbl)
  live_tables = live_tables - 1
  C.llmroute_table_free(tbl)
end

function _M._live_tables()
  return live_tables
end

-- Compiles, returning a table reference owned by the GC, or nil, err, kind.
local function compile(text, paths, opts, file_name)
  local o, err = options_handle(opts)
  if not o then return nil, err, "invalid_argument" end
  errptr[0] = nil
  local code
  if text then
    file_name = file_name or ""
    code = C.llmroute_table_compile_text(o, text, #text, file_name, #file_name, table_out, errptr)
  else
    local n = 0
    while rawget(paths, n + 1) ~= nil do n = n + 1 end
    local list = ffi_new("llmroute_string_t[?]", n)
    for i = 1, n do
      local p = rawget(paths, i)
      if type(p) ~= "string" then
        return nil, ("paths[%d] must be a string, not a %s"):format(i, type(p)), "invalid_argument"
      end
      list[i - 1].data = p
      list[i - 1].len = #p
    end
    code = C.llmroute_table_compile_files(o, list, n, table_out, errptr)
  end
  if code ~= OK then
    local message = errptr[0] ~= nil and C_string(errptr[0]) or C_string(C.llmroute_error_name(code))
    C.llmroute_free(errptr[0])
    errptr[0] = nil
    return nil, message, C_string(C.llmroute_error_name(code))
  end
  live_tables = live_tables + 1
  return ffi_gc(table_out[0], release_table)
end

local function as_paths(path)
  if type(path) == "string" then return { path } end
  if type(path) ~= "table" then error("path must be a string or a list of strings", 3) end
  return path
end

local Router = {}
Router.__index = Router

-- Lua values made from the current table's strings, by address: the table never changes,
-- so a decision reuses them instead of copying (they are shared: treat a decision's
-- backend, route and fallbacks as read-only). Dropped with the table on reload.
new_cache = function()
  return { names = {}, strings = {}, fallbacks = {}, mutations = {}, retries = {} }
end

local function addr(p)
  return tonumber(ffi.cast("uintptr_t", p))
end

local function cached_name(cache, n)  -- llmroute_name_t -> shared { namespace, name } or nil
  local name_data = n.name.data
  if name_data == nil then return nil end
  local by_ns = cache.names[addr(n.ns.data)]
  if by_ns == nil then
    by_ns = {}
    cache.names[addr(n.ns.data)] = by_ns
  end
  local key = addr(name_data)
  local v = by_ns[key]
  if v == nil then
    v = name_of(n)
    by_ns[key] = v
  end
  return v
end

local function cached_string(cache, s)
  local data = s.data
  if data == nil then return nil end
  local key = addr(data)
  local v = cache.strings[key]
  if v == nil then
    v = C_string(data, s.len)
    cache.strings[key] = v
  end
  return v
end

-- The decision's mutations: { header_set = { { name, value }, ... }, header_remove =
-- { name, ... }, body_set = { { path, value }, ... }, body_remove = { field, ... } },
-- shared by every decision of the same backendRef (read-only).
local function cached_mutations(cache, d)
  local key = addr(d.mutations)
  local m = cache.mutations[key]
  if m ~= nil then return m end
  local function pairs_of(fn, n)
    local list = {}
    for i = 0, tonumber(n) - 1 do
      fn(d, i, string_buf, value_buf)
      list[i + 1] = { cached_string(cache, string_buf), cached_string(cache, value_buf) }
    end
    return list
  end
  local function names_of(fn, n)
    local list = {}
    for i = 0, tonumber(n) - 1 do
      fn(d, i, string_buf)
      list[i + 1] = cached_string(cache, string_buf)
    end
    return list
  end
  m = {
    header_set = pairs_of(C.llmroute_decision_header_set, d.header_set_count),
    header_remove = names_of(C.llmroute_decision_header_remove, d.header_remove_count),
    body_set = pairs_of(C.llmroute_decision_body_set, d.body_set_count),
    body_remove = names_of(C.llmroute_decision_body_remove, d.body_remove_count),
  }
  cache.mutations[key] = m
  return m
end

local function new_router(tbl, source)
  local holder = C.llmroute_holder_create(tbl)
  if holder == nil then return nil, "out of memory", "out_of_memory" end
  return setmetatable({ table = tbl, holder = ffi_gc(holder, C.llmroute_holder_free),
                        source = source, cache = new_cache() }, Router)
end

-- llmroute.from_file(path or {paths...}, opts) -> router | nil, err, kind
-- opts: model_header, standard_header (true or a header name), allowed_backends
-- ("RulesOnly" | "SameNamespace"), on_disallowed ("Reject" | "UseRules"), max_body_size
-- (bytes, 1 to 4294967295, default 64 MiB: a longer body is bad_request, not parsed).
function _M.from_file(path, opts)
  local paths = as_paths(path)
  local tbl, err, kind = compile(nil, paths, opts)
  if not tbl then return nil, err, kind end
  return new_router(tbl, { paths = paths, opts = opts })
end

-- llmroute.from_text(text, opts, file_name) -> router | nil, err, kind
function _M.from_text(text, opts, file_name)
  if type(text) ~= "string" then error("text must be a string", 2) end
  local tbl, err, kind = compile(text, nil, opts, file_name)
  if not tbl then return nil, err, kind end
  return new_router(tbl, { text = text, opts = opts, file_name = file_name })
end

local function parse_entropy(e)
  local t = type(e)
  if t == "number" then
    if e < 0 or e >= 18446744073709551616 or e % 1 ~= 0 then return nil end
    return e
  elseif t == "string" then  -- decimal, for the whole 64-bit range
    if not e:match("^%d+$") or #e > 20 then return nil end
    local v = 0ULL
    for i = 1, #e do
      local nv = v * 10 + (str_byte(e, i) - 48)
      if nv < v then return nil end  -- wrapped past 2^64
      v = nv
    end
    if #e == 20 and e > "18446744073709551615" then return nil end
    return v
  elseif t == "cdata" then
    return e
  end
  return nil
end

-- Sets header i, or returns an error message when the name or value is not a string.
local function set_header(i, name, value)
  if type(name) ~= "string" then
    return "header names must be strings, not a " .. type(name)
  end
  if type(value) ~= "string" then
    return "header " .. name .. ": value must be a string, not a " .. type(value)
  end
  if i >= header_capacity then
    local bigger = ffi_new("llmroute_header_t[?]", header_capacity * 2)
    ffi.copy(bigger, headers_buf, ffi.sizeof("llmroute_header_t") * header_capacity)
    headers_buf = bigger
    header_capacity = header_capacity * 2
  end
  header_values[i] = value
  local h = headers_buf[i]
  h.name.data = name
  h.name.len = #name
  h.value.data = value
  h.value.len = #value
end

local function not_a_string(field, v)
  return field .. " must be a string, not a " .. type(v)
end

-- router:resolve(req [, out]) -> decision | nil, err
-- req: { method = "POST", host = "h", path = "/v1/chat/completions?x=1",
--        headers = { ["name"] = "v" or { "v1", "v2" } } or { { "name", "v" }, ... },
--        body = "...", entropy = n | "decimal" | uint64 cdata,
--        health = llmroute.health() }
-- Instead of `headers`, a proxy that holds its headers as pointers may pass
-- `header_array` (a cdata llmroute_header_t*, e.g. from llmroute.new_headers(n)) and
-- `header_count`: no Lua string is made. Their memory must stay valid during the call,
-- and as long as the decision's model is read.
-- The decision: status ("routed", ...), http_status, via ("rule" | "standard_header" | nil),
-- backend / route ({ namespace =, name = } or nil), rule, rule_name, match (0-based or nil),
-- model, model_override, fallbacks (a list of { namespace =, name =, model_override = }),
-- reason, affinity (the session affinity key chose), panic (every backend down: the health
-- view ignored), retry ({ codes =, attempts =, backoff_ms = } or nil).
-- Pass `out` to reuse a table (every field is overwritten). backend, route and fallbacks
-- are shared between decisions of the same table: read them, do not modify them.

-- Fills the shared request struct from `req`; returns the header count and whether the
-- headers came as `header_array`, or nil and a message.
local function fill_request(req)
  local r = request
  r.struct_size = ffi.sizeof(r)
  local method, host, path, body = req.method, req.host, req.path, req.body
  if method == nil then r.method.data, r.method.len = nil, 0
  elseif type(method) == "string" then r.method.data, r.method.len = method, #method
  else return nil, not_a_string("method", method) end
  if host == nil then r.host.data, r.host.len = nil, 0
  elseif type(host) == "string" then r.host.data, r.host.len = host, #host
  else return nil, not_a_string("host", host) end
  if path == nil then r.path.data, r.path.len = nil, 0
  elseif type(path) == "string" then r.path.data, r.path.len = path, #path
  else return nil, not_a_string("path", path) end
  if body == nil then r.body.data, r.body.len = nil, 0
  elseif type(body) == "string" then r.body.data, r.body.len = body, #body
  else return nil, not_a_string("body", body) end
  r.body_padding = 0
  local entropy = req.entropy
  if entropy ~= nil then
    local e = parse_entropy(entropy)
    if e == nil then return nil, "entropy must be an integer in [0, 2^64)" end
    r.entropy = e
    r.has_entropy = 1
  else
    r.has_entropy = 0
  end
  local health = req.health
  r.health = health and health.handle or nil
  local count = 0
  local headers = req.headers
  local header_array = req.header_array
  if header_array ~= nil then  -- already in the C layout: used as is, no Lua strings
    count = req.header_count
    if type(count) ~= "number" or count < 0 or count % 1 ~= 0 then
      return nil, "header_count must be a non-negative integer with header_array"
    end
    r.headers = header_array
  elseif type(headers) == "table" then
    local e
    if rawget(headers, 1) ~= nil then  -- a list of { name, value } pairs
      local i = 1
      local pair = rawget(headers, 1)
      repeat
        if type(pair) ~= "table" then
          return nil, ("headers[%d] must be a { name, value } pair, not a %s"):format(i, type(pair))
        end
        e = set_header(count, rawget(pair, 1), rawget(pair, 2))
        if e then return nil, e end
        count = count + 1
        i = i + 1
        pair = rawget(headers, i)
      until pair == nil
    else
      for name, value in pairs(headers) do
        if type(value) == "table" then
          local i = 1
          local v = rawget(value, 1)
          while v ~= nil do
            e = set_header(count, name, v)
            if e then return nil, e end
            count = count + 1
            i = i + 1
            v = rawget(value, i)
          end
        else
          e = set_header(count, name, value)
          if e then return nil, e end
          count = count + 1
        end
      end
    end
  end
  if header_array == nil then r.headers = headers_buf end
  r.header_count = count
  return count, header_array ~= nil
end

-- See the request and decision above.
function Router:resolve(req, out)
  local tbl = self.table
  if tbl == nil then return nil, "router is closed" end
  local count, from_array = fill_request(req)
  if count == nil then return nil, from_array end
  local r = request
  local d = decision
  local code = C.llmroute_resolve(tbl, r, d)
  if code ~= OK then return nil, C_string(C.llmroute_error_name(code)) end

  local cache = self.cache
  out = out or new_tab(0, 12)
  -- Absent fields: store nil only over a value. Storing nil into an absent key inserts a
  -- dead key, and a reused table would then rehash on every call.
  out.status = STATUS[d.status]
  out.http_status = d.http_status
  local v = VIA[d.via]
  if v ~= nil or out.via ~= nil then out.via = v end
  v = cached_name(cache, d.backend)
  if v ~= nil or out.backend ~= nil then out.backend = v end
  v = cached_name(cache, d.route)
  if v ~= nil or out.route ~= nil then out.route = v end
  v = d.rule
  if v >= 0 then out.rule = v elseif out.rule ~= nil then out.rule = nil end
  v = cached_string(cache, d.rule_name)
  if v ~= nil or out.rule_name ~= nil then out.rule_name = v end
  v = d.match
  if v >= 0 then out.match = v elseif out.match ~= nil then out.match = nil end
  -- The model is usually one of the header values passed in: reuse that Lua string.
  local model = nil
  local model_data = d.model.data
  if model_data ~= nil then
    local len = d.model.len
    for i = 0, from_array and -1 or count - 1 do
      local hv = headers_buf[i].value
      if hv.data == model_data and hv.len == len then
        model = header_values[i]
        break
      end
    end
    if model == nil then model = C_string(model_data, len) end
  end
  if model ~= nil or out.model ~= nil then out.model = model end
  v = cached_string(cache, d.model_override)
  if v ~= nil or out.model_override ~= nil then out.model_override = v end
  v = cached_string(cache, d.reason)
  if v ~= nil or out.reason ~= nil then out.reason = v end
  local affinity = d.affinity ~= 0
  out.affinity = affinity
  out.panic = d.panic ~= 0
  local n = tonumber(d.fallback_count)
  if n == 0 then
    out.fallbacks = EMPTY
  else
    -- With affinity or a health view the list may be in the library's per-thread buffer,
    -- whose address does not identify it: read it every time.
    local key = false
    if not affinity and not health then key = addr(d.fallbacks) end
    local fallbacks = key and cache.fallbacks[key]
    if not fallbacks then
      fallbacks = {}
      for i = 0, n - 1 do
        C.llmroute_decision_fallback(d, i, name_buf)
        C.llmroute_decision_fallback_override(d, i, string_buf)
        -- Each entry its own table: the same backend may have other overrides elsewhere.
        fallbacks[i + 1] = setmetatable({ namespace = C_string(name_buf.ns.data, name_buf.ns.len),
                                          name = C_string(name_buf.name.data, name_buf.name.len),
                                          model_override = str(string_buf) }, READ_ONLY)
      end
      if key then cache.fallbacks[key] = fallbacks end
    end
    out.fallbacks = fallbacks
  end
  if d.backend.name.data ~= nil then
    out.backend_kind = BACKEND_KIND[d.backend_kind]
  elseif out.backend_kind ~= nil then
    out.backend_kind = nil
  end
  if d.mutations ~= nil then
    out.mutations = cached_mutations(cache, d)
  elseif out.mutations ~= nil then
    out.mutations = nil
  end
  if d.has_retry == 0 then
    if out.retry ~= nil then out.retry = nil end
  else
    -- A policy's codes live in the table at one address; a policy without codes is keyed
    -- by its attempts and backoff.
    local key = d.retry_codes ~= nil and addr(d.retry_codes)
                or -(tonumber(d.retry_attempts) * 4398046511104 + tonumber(d.retry_backoff_ms)) - 1
    local retry = cache.retries[key]
    if retry == nil then
      local codes = {}
      for i = 0, tonumber(d.retry_code_count) - 1 do codes[i + 1] = d.retry_codes[i] end
      retry = { codes = codes, attempts = tonumber(d.retry_attempts),
                backoff_ms = tonumber(d.retry_backoff_ms) }
      cache.retries[key] = retry
    end
    out.retry = retry
  end
  return out
end

-- llmroute.new_headers(n) -> a cdata array of n llmroute_header_t (zeroed, GC-owned), for
-- `header_array`.
local header_array_type = ffi.typeof("llmroute_header_t[?]")
function _M.new_headers(n)
  return ffi_new(header_array_type, n)
end

-- llmroute.next_attempt(decision, attempts_made, last_status) -> backend, model_override
-- | nil (also router:next_attempt(decision, ...)). After `attempts_made` (>= 1) tries, the
-- last ending with `last_status` (its HTTP status, or 0 for a connection failure or
-- timeout): decision.fallbacks[attempts_made] when the decision has a retry policy,
-- attempts_made <= retry.attempts, last_status is 0 or in retry.codes, and that fallback
-- exists; otherwise nil. The rule of llmroute_next_attempt, over the decision's fields.
function _M.next_attempt(d, attempts_made, last_status)
  local retry = d.retry
  if retry == nil or attempts_made < 1 or attempts_made > retry.attempts then return nil end
  if last_status ~= 0 then
    local listed = false
    local codes = retry.codes
    for i = 1, #codes do
      if codes[i] == last_status then
        listed = true
        break
      end
    end
    if not listed then return nil end
  end
  local fallback = d.fallbacks[attempts_made]
  if fallback == nil then return nil end
  return { namespace = fallback.namespace, name = fallback.name }, fallback.model_override
end

function Router:next_attempt(d, attempts_made, last_status)
  return _M.next_attempt(d, attempts_made, last_status)
end

local text_out = ffi_new("char*[1]")
local len_out = ffi_new("size_t[1]")

-- router:explain(req) -> text | nil, err: for a person, how `req` (as for resolve) gets its
-- decision, as `llmroute explain` prints it. Slow: not for the request path.
function Router:explain(req)
  local tbl = self.table
  if tbl == nil then return nil, "router is closed" end
  local count, err = fill_request(req)
  if count == nil then return nil, err end
  errptr[0] = nil
  local code = C.llmroute_explain(tbl, request, text_out, len_out, errptr)
  if code ~= OK then
    local message = errptr[0] ~= nil and C_string(errptr[0]) or C_string(C.llmroute_error_name(code))
    C.llmroute_free(errptr[0])
    return nil, message
  end
  local text = C_string(text_out[0], len_out[0])
  C.llmroute_free(text_out[0])
  return text
end

-- router:models([host]) -> { { model =, route = { namespace =, name = }, owned_by =,
-- created = }, ... }. With `host`: only the models of the routes that apply to that host,
-- chosen as resolve chooses them (what /v1/models lists for one client).
function Router:models(host)
  local tbl = self.table
  if tbl == nil then return nil, "router is closed" end
  local count
  if host == nil then
    count = tonumber(C.llmroute_table_model_count(tbl))
  else
    count = tonumber(C.llmroute_table_host_model_count(tbl, host, #host))
  end
  local list = {}
  for i = 0, count - 1 do
    if host == nil then
      C.llmroute_table_model_info(tbl, i, model_buf)
    else
      C.llmroute_table_host_model(tbl, host, #host, i, model_buf)
    end
    list[#list + 1] = { model = str(model_buf.id), route = name_of(model_buf.route),
                        owned_by = str(model_buf.owned_by), created = tonumber(model_buf.created) }
  end
  return list
end

-- The strings get(tbl, 0 .. count(tbl) - 1) of a router's table (nil, "router is closed"
-- once it is closed).
local function table_strings(tbl, count, get)
  if tbl == nil then return nil, "router is closed" end
  local list = {}
  for i = 0, tonumber(count(tbl)) - 1 do
    get(tbl, i, string_buf)
    list[#list + 1] = str(string_buf)
  end
  return list
end

-- router:warnings() -> { "file:line:col: warning: ...", ... }
function Router:warnings()
  return table_strings(self.table, C.llmroute_table_warning_count, C.llmroute_table_warning)
end

function Router:model_header()
  if self.table == nil then return nil, "router is closed" end
  C.llmroute_table_model_header(self.table, string_buf)
  return str(string_buf)
end

-- router:owned_headers() -> { "x-ai-eg-model", ... }: the request headers the gateway owns
-- (lower-cased): the model header, then every enabled standard routing header. A proxy
-- removes them from the client's request before setting its own upstream.
function Router:owned_headers()
  return table_strings(self.table, C.llmroute_table_owned_header_count,
                       C.llmroute_table_owned_header)
end

-- How many times the router was reloaded.
function Router:generation()
  if self.holder == nil then return nil, "router is closed" end
  return tonumber(C.llmroute_holder_generation(self.holder))
end

-- The replaced table is released here, not left to the collector: it does not see the
-- library's memory, and a large table replaced often would pile up. Nothing else keeps
-- it: decisions and the cache hold Lua strings, and the holder has its own reference.
local function swap(self, tbl, source)
  if self.holder == nil then
    release_table(ffi_gc(tbl, nil))
    return nil, "router is closed"
  end
  C.llmroute_holder_swap(self.holder, tbl)
  local old = self.table
  self.table = tbl
  self.cache = new_cache()
  self.source = source
  release_table(ffi_gc(old, nil))
  return true
end

-- router:reload() re-reads the same files (or text) with the same options;
-- router:reload_file(path, opts) / router:reload_text(text, opts, file_name) take a new
-- source. -> true | nil, err, kind (the current table stays on error).
function Router:reload()
  local s = self.source
  if s.text then return self:reload_text(s.text, s.opts, s.file_name) end
  return self:reload_file(s.paths, s.opts)
end

function Router:reload_file(path, opts)
  local paths = as_paths(path)
  local tbl, err, kind = compile(nil, paths, opts)
  if not tbl then return nil, err, kind end
  return swap(self, tbl, { paths = paths, opts = opts })
end

function Router:reload_text(text, opts, file_name)
  local tbl, err, kind = compile(text, nil, opts, file_name)
  if not tbl then return nil, err, kind end
  return swap(self, tbl, { text = text, opts = opts, file_name = file_name })
end

-- llmroute.health([now_ms]) -> a health view, shared by any routers and threads: pass it
-- as req.health. With now_ms, its clock is manual (for tests: move it with set_now).
local Health = {}
Health.__index = Health

local down_out = ffi_new("int32_t[1]")
local until_out = ffi_new("int64_t[1]")

function _M.health(now_ms)
  local h
  if now_ms == nil then h = C.llmroute_health_create() else h = C.llmroute_health_create_manual_clock(now_ms) end
  if h == nil then return nil, "out of memory" end
  return setmetatable({ handle = ffi_gc(h, C.llmroute_health_free) }, Health)
end

local function health_result(code)
  if code == OK then return true end
  return nil, C_string(C.llmroute_error_name(code))
end

-- health:mark_down(namespace, name [, for_ms]) -> true | nil, err: down until mark_up, or
-- for for_ms milliseconds (a cooldown, as for a 429 with Retry-After).
function Health:mark_down(ns, name, for_ms)
  if for_ms == nil then
    return health_result(C.llmroute_health_mark_down(self.handle, ns, #ns, name, #name))
  end
  return health_result(C.llmroute_health_mark_down_for(self.handle, ns, #ns, name, #name, for_ms))
end

function Health:mark_up(ns, name)
  return health_result(C.llmroute_health_mark_up(self.handle, ns, #ns, name, #name))
end

-- health:state(namespace, name) -> down (boolean), down_until_ms (a number, or nil)
function Health:state(ns, name)
  C.llmroute_health_state(self.handle, ns, #ns, name, #name, down_out, until_out)
  local until_ms = tonumber(until_out[0])
  return down_out[0] ~= 0, until_ms >= 0 and until_ms or nil
end

function Health:set_now(now_ms)
  return health_result(C.llmroute_health_set_now(self.handle, now_ms))
end

-- Releases the table now instead of at garbage collection; later calls return nil, err.
function Router:close()
  local tbl, holder = self.table, self.holder
  self.table, self.holder = nil, nil
  if tbl ~= nil then release_table(ffi_gc(tbl, nil)) end
  if holder ~= nil then C.llmroute_holder_free(ffi_gc(holder, nil)) end
end

return _M
