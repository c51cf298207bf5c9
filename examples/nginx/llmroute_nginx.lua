-- llmroute in nginx (Debian's nginx with its Lua module, or OpenResty): every request is
-- routed by the llmroute table, in four phases.
--
--   init         (configure) the master compiles the routes file and reads the backends
--                file; one that does not load stops nginx from starting, or a
--                `nginx -s reload` from replacing the running workers.
--   init_worker  each worker starts with the master's table and checks both files every
--                `check_interval` seconds: a changed file is compiled and swapped in
--                through the router's holder (requests in flight finish on the table they
--                started with; a file that does not compile leaves the current table).
--   access       read the request (method, host, path with query, headers, the body when
--                there is one), resolve it, remove every header the gateway owns from the
--                client's request and set $llmroute_model (the model header
--                proxy_set_header sends) to the decided model; answer a request that is
--                not routed with its HTTP status and an OpenAI-shaped JSON error.
--   balancer     connect to the chosen backend; after a failed try (what
--                proxy_next_upstream names) the decision's retry policy says whether to
--                retry and to which fallback (llmroute.next_attempt), with that
--                fallback's model; when it says no, @llmroute_stopped answers the failed
--                try's status.
-- The response carries x-ai-eg-selected-backend: namespace/name of the backend that
-- answered.
local ffi = require "ffi"
local llmroute = require "llmroute"
local http = require "llmroute_http"
local balancer = require "ngx.balancer"
local base = require "resty.core.base"
require "resty.core.request"  -- declares nginx's header functions for the FFI

local ngx = ngx
local ngx_var = ngx.var
local req = ngx.req
local C = ffi.C
local ffi_cast = ffi.cast
local get_request = base.get_request
local clear_header = req.clear_header
local set_header = req.set_header
local upstream_model = llmroute.upstream_model
local next_attempt = llmroute.next_attempt

local _M = {}

local conf = {
  routes = nil,           -- the routes file (YAML or JSON)
  backends = nil,         -- the backends file: `namespace/name host:port` a line
  options = nil,          -- llmroute compile options (model_header, standard_header, ...)
  check_interval = 1,     -- seconds between checks of the two files
  -- How long a backend that failed (a 5xx answer, or no answer) is left out of this
  -- worker's decisions; a 429 with Retry-After is left out for that long instead.
  failure_cooldown_ms = 5000,
  selected_header = "x-ai-eg-selected-backend",
  model_header = "x-ai-eg-model",  -- what llmroute-server.conf's proxy_set_header sets
}

-- This worker's state.
local router                   -- llmroute router (compiled by the master in configure)
local health                   -- the worker's health view (init_worker): backends down
local routes_text, backends_text  -- what was last read (compiled or not)
local addresses = {}           -- "ns/name" -> { host, port, address }
local owned = {}               -- the headers the gateway owns (lower-cased)
local model_header = "x-ai-eg-model"

-- Each returns true, or nil and a message (the current table or map stays).
local function load_routes()
  local text, err = http.read_file(conf.routes)
  if not text then return nil, "cannot read routes: " .. err end
  if text == routes_text then return true end
  routes_text = text
  local ok, kind
  if router then
    ok, err, kind = router:reload_text(text, conf.options, conf.routes)
  else
    router, err, kind = llmroute.from_text(text, conf.options, conf.routes)
    ok = router ~= nil
  end
  if not ok then return nil, "routes not loaded (" .. kind .. "): " .. err end
  owned = router:owned_headers()
  model_header = router:model_header()
  ngx.log(ngx.INFO, "llmroute: routes loaded from ", conf.routes, " (generation ",
          router:generation(), ")")
  return true
end

local function load_backends()
  local text, err = http.read_file(conf.backends)
  if not text then return nil, "cannot read backends: " .. err end
  if text == backends_text then return true end
  backends_text = text
  local map
  map, err = http.parse_backends(text, conf.backends)
  if not map then return nil, "backends not loaded: " .. err end
  addresses = map
  return true
end

-- Called from init_by_lua: where the files are and how to compile them. The master
-- compiles both files here, and its workers inherit the result; a file that does not
-- compile is an error, so nginx refuses to start, or refuses `nginx -s reload` and keeps
-- its running workers.
function _M.configure(options)
  for k, v in pairs(options) do
    if conf[k] == nil and k ~= "routes" and k ~= "backends" and k ~= "options" then
      error("llmroute_nginx: unknown setting " .. tostring(k), 2)
    end
    conf[k] = v
  end
  if not conf.routes or not conf.backends then
    error("llmroute_nginx: configure needs routes and backends", 2)
  end
  local ok, err = load_routes()
  if ok then ok, err = load_backends() end
  if not ok then error("llmroute: " .. err, 2) end
  if router:model_header() ~= conf.model_header then
    error("llmroute: the table's model header is " .. router:model_header() .. ", but "
          .. "proxy_set_header in llmroute-server.conf sets " .. conf.model_header
          .. ": make them agree (and set model_header here)", 2)
  end
end

-- The files are compared by content, not by modification time: the table is compiled
-- from exactly the text that was read, and two writes within the clock's granularity
-- cannot be missed. Reading a config of a few hundred KB once a second costs little.
local function check(premature)
  if premature then return end
  local ok, err = load_routes()
  if not ok then ngx.log(ngx.ERR, "llmroute: ", err) end
  ok, err = load_backends()
  if not ok then ngx.log(ngx.ERR, "llmroute: ", err) end
end

-- Each worker starts with the master's table and checks the files from then on. Its
-- health view is its own: nginx workers share no Lua state.
function _M.init_worker()
  health = llmroute.health()
  local ok, err = ngx.timer.every(conf.check_interval, check)
  if not ok then ngx.log(ngx.ERR, "llmroute: cannot start the reload timer: ", err) end
end

local function refuse(status, code, message)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.print(http.error_body(status, code, message))
  return ngx.exit(status)
end

-- Every request header, as views of nginx's own memory in llmroute's layout: no Lua
-- string is made (the array is this worker's, reused: fill it and resolve without
-- yielding in between). nginx's lower-cased names; no limit of 100 as in get_headers.
local elts, headers, capacity = nil, nil, 0
local char_ptr = ffi.typeof("const char*")
local truncated = ffi.new("int[1]")

local function request_headers()
  local r = get_request()
  local n = C.ngx_http_lua_ffi_req_get_headers_count(r, 0, truncated)
  if n > capacity then
    capacity = math.max(n, 2 * capacity, 64)
    elts = ffi.new("ngx_http_lua_ffi_table_elt_t[?]", capacity)
    headers = llmroute.new_headers(capacity)
  end
  if n > 0 then C.ngx_http_lua_ffi_req_get_headers(r, elts, n, 0) end
  for i = 0, n - 1 do
    local e, h = elts[i], headers[i]
    h.name.data = ffi_cast(char_ptr, e.key.data)
    h.name.len = e.key.len
    h.value.data = ffi_cast(char_ptr, e.value.data)
    h.value.len = e.value.len
  end
  return headers, n
end

-- The request as llmroute reads it: method, host, path with query as sent, every header,
-- and the body only when there is one, read into memory (client_body_buffer_size equals
-- client_max_body_size, so it never goes to a file). A table per request: reading the
-- body yields to other requests.
local function read_request()
  local r = { method = req.get_method(), host = ngx_var.host, path = ngx_var.request_uri,
              body = nil, health = health }
  if ngx_var.http_content_length or ngx_var.http_transfer_encoding then
    req.read_body()
    local body = req.get_body_data()
    if body == nil and req.get_body_file() ~= nil then
      return nil, "the request body is larger than the gateway keeps in memory"
    end
    if body ~= nil and body ~= "" then r.body = body end
  end
  r.header_array, r.header_count = request_headers()  -- last: nothing yields after it
  return r
end

-- Reused: nothing yields between a resolve and the last read of its decision.
local decision = {}

function _M.access()
  if router == nil then
    return refuse(503, "no_table", "the gateway has no routing table")
  end
  local r, err = read_request()
  if not r then return refuse(413, "body_too_large", err) end
  local d
  d, err = router:resolve(r, decision)
  if not d then return refuse(500, "internal", err) end
  if d.status ~= "routed" then
    return refuse(d.http_status, d.status, d.reason)
  end

  local name = d.backend.namespace .. "/" .. d.backend.name
  if addresses[name] == nil then
    return refuse(503, "unknown_backend", "the gateway has no address for backend " .. name)
  end
  -- What the balancer needs after this request's table `decision` is reused: the chosen
  -- backend and model, and the decision's retry policy and fallbacks (the binding's
  -- read-only values), which next_attempt reads.
  local model = upstream_model(d)
  ngx.ctx.llmroute = { backend = name, model = model, decided_model = d.model,
                       retry = d.retry, fallbacks = d.fallbacks, tries = 0, current = nil }

  -- The trust boundary: what the client sent in an owned header never reaches a backend.
  -- The model header itself is proxy_set_header's, from $llmroute_model (empty: none).
  for i = 1, #owned do clear_header(owned[i]) end
  ngx_var.llmroute_model = model or ""
end

-- The failed try as the retry policy reads it: the backend's HTTP status, or 0 when no
-- answer came (connection refused or reset, timeout); and the status nginx recorded for
-- it (502 or 504 when no answer came). Only an answer's status line sets the try's
-- $upstream_header_time ("-" otherwise; the last entry of the list is this try's).
local function last_failure()
  local state, status = balancer.get_last_failure()
  if state == nil or status == nil or status == 0 then return 0, 502 end
  if status == 502 or status == 504 then
    local times = ngx_var.upstream_header_time
    if times == nil or times:match("([%d.-]+)[^%d.-]*$") == "-" then return 0, status end
  end
  return status, status
end

-- Leaves a backend that failed out of this worker's decisions for a while: after a 429
-- for its Retry-After (seconds or an HTTP date; a 429 without it is not marked), after a
-- 5xx or no answer (outcome 0) for failure_cooldown_ms. $upstream_http_retry_after is
-- the failed answer's header: nginx keeps it until the next try's request is sent.
local function mark_failed(name, outcome)
  local ms
  if outcome == 429 then
    local value = ngx_var.upstream_http_retry_after
    if value == nil then return end
    local seconds = tonumber(value)
    if seconds == nil then
      local at = ngx.parse_http_time(value)
      if at == nil then return end
      seconds = at - ngx.time()
    end
    if seconds <= 0 then return end
    ms = math.floor(seconds * 1000)
  elseif outcome == 0 or outcome >= 500 then
    ms = conf.failure_cooldown_ms
  else
    return
  end
  local ns, backend = name:match("^([^/]+)/(.+)$")
  local ok, err = health:mark_down(ns, backend, ms)
  if not ok then ngx.log(ngx.ERR, "llmroute: cannot mark ", name, " down: ", err) end
end

-- No further try: nginx has already discarded the failed answer (it does so for every
-- status proxy_next_upstream names, before the balancer can tell that the policy keeps
-- it), so @llmroute_stopped answers with its status and a JSON error.
local function stop(route, status)
  ngx_var.llmroute_stopped = status .. " " .. route.current
  return ngx.exit(ngx.ERROR)
end

-- Hook for an `upstream` block: the first try goes to the chosen backend. A failed try
-- that proxy_next_upstream names comes back here, and the decision's retry policy says
-- whether to retry and where (llmroute.next_attempt): the next fallback, which receives
-- its own modelNameOverride (else the decided model). The policy's backoff is not waited
-- for: nothing may sleep in the balancer.
function _M.balance()
  local route = ngx.ctx.llmroute
  if route == nil then return ngx.exit(500) end
  local tries = route.tries
  local name, model
  if tries == 0 then
    name, model = route.backend, route.model
    local retry = route.retry
    if retry ~= nil then
      -- The most retries the policy may ask for; each failure still goes through it.
      local more = math.min(retry.attempts, #route.fallbacks)
      if more > 0 then
        local ok, err = balancer.set_more_tries(more)
        if not ok then ngx.log(ngx.ERR, "llmroute: set_more_tries: ", err) end
      end
    end
  else
    local outcome, status = last_failure()
    mark_failed(route.current, outcome)
    local next_backend, override = next_attempt(route, tries, outcome)
    if next_backend == nil then return stop(route, status) end
    name = next_backend.namespace .. "/" .. next_backend.name
    model = override or route.decided_model
    if addresses[name] == nil then
      ngx.log(ngx.ERR, "llmroute: no address for fallback ", name)
      return stop(route, status)
    end
  end
  local address = addresses[name]
  route.tries = tries + 1
  route.current = name
  if model ~= route.model then
    -- nginx built the upstream request for the previous try: build it again with this
    -- backend's model (proxy_set_header reads $llmroute_model).
    route.model = model
    ngx_var.llmroute_model = model or ""
    local ok, err = balancer.recreate_request()
    if not ok then ngx.log(ngx.ERR, "llmroute: recreate_request: ", err) end
  end
  local ok, err = balancer.set_current_peer(address.host, address.port)
  if not ok then
    ngx.log(ngx.ERR, "llmroute: set_current_peer ", name, ": ", err)
    return ngx.exit(500)
  end
end

-- Content of @llmroute_stopped (error_page 500): a failed try that the retry policy does
-- not retry answers with that try's status (502 when no answer came) and a JSON error
-- naming the backend; any other internal error is a 500.
function _M.stopped()
  local status, backend = ngx_var.llmroute_stopped:match("^(%d+) (.+)$")
  if status == nil then
    return refuse(500, "internal", "the gateway could not proxy the request")
  end
  ngx.header[conf.selected_header] = backend
  return refuse(tonumber(status), "upstream_failed", "backend " .. backend .. " failed ("
                .. status .. ") and the rule's retry policy allows no further attempt")
end

-- Hook for header_filter: name the backend that answered, and mark it down when its
-- answer is a failure (the failures before it were marked by the balancer).
function _M.header_filter()
  local route = ngx.ctx.llmroute
  if route ~= nil and route.current ~= nil then
    ngx.header[conf.selected_header] = route.current
    local status = ngx.status
    if status == 429 or status >= 500 then mark_failed(route.current, status) end
  end
end

-- Only the routing, for a benchmark against nginx's own `map`: the chosen backend's name,
-- or the decision's status. No header changes. With `with_body` (access or rewrite phase
-- only) the body is read and routed by its model too; without it, set_by_lua may call it.
local bench_request = {}

function _M.route_only(with_body)
  local r = bench_request
  r.method = req.get_method()
  r.host = ngx_var.host
  r.path = ngx_var.request_uri
  r.body = nil
  if with_body then
    req.read_body()
    r.body = req.get_body_data()
  end
  r.header_array, r.header_count = request_headers()
  local d = router:resolve(r, decision)
  if d.status ~= "routed" then return d.status end
  return d.backend.name
end

return _M
