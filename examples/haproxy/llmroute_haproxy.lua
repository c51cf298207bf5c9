-- llmroute in HAProxy 2.6 (Lua 5.3 with the llmroute C module): an http-request action
-- routes each request.
--
--   http-request lua.llmroute            resolve; set txn.llmroute_backend (the HAProxy
--                                        backend to use) or txn.llmroute_status (not routed)
--   use_backend %[var(txn.llmroute_backend)] if { var(txn.llmroute_backend) -m found }
--   http-request use-service lua.llmroute_error if { var(txn.llmroute_status) -m found }
--
--   http-response lua.llmroute_health   mark the server that answered down when it failed
--
-- Settings come from environment variables read at load time (haproxy.cfg sets them with
-- `setenv`): LLMROUTE_ROUTES (the routes file), LLMROUTE_CHECK_INTERVAL (seconds between
-- checks of the file, default 1), LLMROUTE_STANDARD_HEADER ("1": enable the standard
-- routing header for routes without their own section), LLMROUTE_FAILURE_COOLDOWN_MS
-- (how long a backend that answered 5xx is left out of decisions, default 5000; a 429
-- with Retry-After is left out for that long instead).
--
-- Backends. llmroute names a backend `namespace/name`; the HAProxy backend for it is
-- `namespace.name`. HAProxy cannot choose a server from Lua when it retries, so the
-- fallbacks live in the configuration: when a backend named after the whole decision
-- exists (`default.a:default.b`: the chosen backend, then its fallbacks, joined by ':'),
-- it is used (its servers in that order, `balance first`, `retry-on` and `option
-- redispatch` make HAProxy try them in turn); otherwise the chosen backend's own.
local llmroute = require "llmroute"
local http = require "llmroute_http"

local routes_path = os.getenv("LLMROUTE_ROUTES")
local check_interval = tonumber(os.getenv("LLMROUTE_CHECK_INTERVAL") or "1") or 1
local failure_cooldown_ms = tonumber(os.getenv("LLMROUTE_FAILURE_COOLDOWN_MS") or "5000") or 5000
local options = nil
if os.getenv("LLMROUTE_STANDARD_HEADER") == "1" then options = { standard_header = true } end

local router, routes_text, owned, model_header

-- This thread's health view (the file is loaded per thread): the backends that failed,
-- left out of its decisions for a while.
local health = llmroute.health()

local function load_routes()
  local text, err = http.read_file(routes_path)
  if not text then
    core.Alert("llmroute: cannot read routes: " .. tostring(err))
    return
  end
  if text == routes_text then return end
  routes_text = text
  local ok, kind
  if router then
    ok, err, kind = router:reload_text(text, options, routes_path)
  else
    router, err, kind = llmroute.from_text(text, options, routes_path)
    ok = router ~= nil
  end
  if not ok then
    core.Alert("llmroute: routes not loaded (" .. tostring(kind) .. "): " .. tostring(err))
    return
  end
  owned = router:owned_headers()
  model_header = router:model_header()
end

if not routes_path then error("llmroute: set LLMROUTE_ROUTES to the routes file") end
load_routes()

-- The file is compared by content, not by modification time: the table is compiled from
-- exactly the text that was read, and two writes within the clock's granularity cannot be
-- missed.
core.register_task(function()
  while true do
    core.msleep(math.floor(check_interval * 1000))
    load_routes()
  end
end)

local function haproxy_name(n) return n.namespace .. "." .. n.name end

-- The HAProxy backend for a routed decision, or nil when none is configured.
local function backend_for(d)
  local chosen = haproxy_name(d.backend)
  if #d.fallbacks > 0 then
    local chain = { chosen }
    for i = 1, #d.fallbacks do chain[#chain + 1] = haproxy_name(d.fallbacks[i]) end
    local name = table.concat(chain, ":")
    if core.backends[name] then return name end
  end
  if core.backends[chosen] then return chosen end
  return nil
end

local function refuse(txn, status, code, message)
  txn:set_var("txn.llmroute_status", status)
  txn:set_var("txn.llmroute_error", http.error_body(status, code, message))
end

local decision = {}

core.register_action("llmroute", { "http-req" }, function(txn)
  if router == nil then
    return refuse(txn, 503, "no_table", "the gateway has no routing table")
  end
  -- HAProxy gives each header's values as a 0-based list.
  local headers = {}
  for name, values in pairs(txn.http:req_get_headers()) do
    for i = 0, #values do
      if values[i] ~= nil then headers[#headers + 1] = { name, values[i] } end
    end
  end
  local request = { method = txn.f:method(), host = txn.f:req_hdr("host"),
                    path = txn.f:pathq(), headers = headers, health = health }
  -- With `option http-buffer-request` the body is here whole, unless it is larger than
  -- HAProxy's buffer: then llmroute would see a truncated body.
  local length = tonumber(txn.f:req_hdr("content-length") or "0") or 0
  if length > 0 or txn.f:req_hdr("transfer-encoding") then
    local body = txn.f:req_body() or ""
    if #body < length then
      return refuse(txn, 413, "body_too_large",
                    "the request body is larger than the gateway's buffer")
    end
    if body ~= "" then request.body = body end
  end
  local d, err = router:resolve(request, decision)
  if not d then return refuse(txn, 500, "internal", err) end
  if d.status ~= "routed" then return refuse(txn, d.http_status, d.status, d.reason) end
  local backend = backend_for(d)
  if backend == nil then
    return refuse(txn, 503, "unknown_backend", "the gateway has no HAProxy backend for "
                  .. d.backend.namespace .. "/" .. d.backend.name)
  end
  txn:set_var("txn.llmroute_backend", backend)
  -- The trust boundary: what the client sent in an owned header never reaches a backend.
  for i = 1, #owned do txn.http:req_del_header(owned[i]) end
  local model = llmroute.upstream_model(d)
  if model ~= nil then txn.http:req_set_header(model_header, model) end
end)

-- After the answer of the server that ended the request (HAProxy's retries happen before
-- it): a 429 with Retry-After (seconds) leaves its backend out of this thread's decisions
-- for that long, a 5xx for failure_cooldown_ms. Servers are named namespace.name.
core.register_action("llmroute_health", { "http-res" }, function(txn)
  local status = txn.f:status()
  if status ~= 429 and status < 500 then return end
  local server = txn.f:srv_name()
  if server == nil then return end
  local ns, name = server:match("^([^.]+)%.(.+)$")
  if ns == nil then return end
  local ms = failure_cooldown_ms
  if status == 429 then
    local seconds = tonumber(txn.f:res_hdr("retry-after") or "")
    if seconds == nil or seconds <= 0 then return end
    ms = math.floor(seconds * 1000)
  end
  health:mark_down(ns, name, ms)
end)

-- Answers a request that was not routed: its status and an OpenAI-shaped JSON error.
core.register_service("llmroute_error", "http", function(applet)
  local status = applet:get_var("txn.llmroute_status") or 500
  local body = applet:get_var("txn.llmroute_error") or http.error_body(500, "internal", nil)
  applet:set_status(status)
  applet:add_header("content-type", "application/json")
  applet:add_header("content-length", tostring(#body))
  applet:start_response()
  applet:send(body)
end)

-- Only the routing, for a benchmark against HAProxy's own map: sets txn.llmroute_backend
-- to the chosen backend's HAProxy name; no header changes. `http-request
-- lua.llmroute_route_only body` also routes by the body's model.
local bench_request = { headers = {} }
core.register_action("llmroute_route_only", { "http-req" }, function(txn, with_body)
  local headers = bench_request.headers
  for i = #headers, 1, -1 do headers[i] = nil end
  for name, values in pairs(txn.http:req_get_headers()) do
    for i = 0, #values do
      if values[i] ~= nil then headers[#headers + 1] = { name, values[i] } end
    end
  end
  bench_request.method = txn.f:method()
  bench_request.host = txn.f:req_hdr("host")
  bench_request.path = txn.f:pathq()
  bench_request.body = with_body == "body" and txn.f:req_body() or nil
  local d = router:resolve(bench_request, decision)
  if d and d.status == "routed" then txn:set_var("txn.llmroute_backend", haproxy_name(d.backend)) end
end, 1)
