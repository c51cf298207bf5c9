-- Tests of the Lua bindings, the same for the LuaJIT FFI module (llmroute.lua) and the
-- Lua 5.3/5.4 C module (llmroute_lua.c): whichever `require "llmroute"` finds.
--
--   test_llmroute.lua REPO_DIR
local repo = assert(arg[1], "usage: test_llmroute.lua REPO_DIR")
package.path = repo .. "/bindings/lua/tests/?.lua;" .. package.path
local json = require "json"
local llmroute = require "llmroute"

local data = repo .. "/tests/data"
local quickstart = repo .. "/examples/quickstart.yaml"
local interpreter = (jit and jit.version) or _VERSION

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    io.stderr:write("FAIL ", name, ": ", tostring(err), "\n")
  end
end

local function show(v)
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      local value = v[k] ~= nil and v[k] or v[tonumber(k)]
      parts[#parts + 1] = k .. "=" .. show(value)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return tostring(v)
end

local function eq(got, want, what)
  if show(got) ~= show(want) then
    error((what or "value") .. ": got " .. show(got) .. ", want " .. show(want), 2)
  end
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local function nsname(n)
  if n == nil then return json.null end
  return n.namespace .. "/" .. n.name
end

local function orNull(v)
  if v == nil then return json.null end
  return v
end

local function render(d)
  local fallbacks = {}
  for i, f in ipairs(d.fallbacks) do fallbacks[i] = nsname(f) end
  return {
    status = d.status, http_status = d.http_status, via = orNull(d.via),
    backend = nsname(d.backend), route = nsname(d.route), rule = orNull(d.rule),
    rule_name = orNull(d.rule_name), match = orNull(d.match), model = orNull(d.model),
    model_override = orNull(d.model_override), fallbacks = fallbacks,
    backend_kind = orNull(d.backend_kind), mutations = orNull(d.mutations),
    retry = d.retry and { codes = d.retry.codes, attempts = d.retry.attempts,
                          backoff_ms = d.retry.backoff_ms } or json.null,
    affinity = d.affinity, panic = d.panic,
  }
end

-- A case's expected decision, with the cases file's defaults filled in.
local function expected(case)
  local e = {}
  for k, v in pairs(case.expect) do e[k] = v end
  if e.backend_kind == nil then
    e.backend_kind = e.status == "routed" and "Backend" or json.null
  end
  if e.mutations == nil then e.mutations = json.null end
  if e.retry == nil then e.retry = json.null end
  e.next = nil
  if e.affinity == nil then e.affinity = false end
  if e.panic == nil then e.panic = false end
  return e
end

local function render_attempt(backend, model_override)
  if backend == nil then return json.null end
  return { backend = nsname(backend), model_override = orNull(model_override) }
end

local function request_of(r)
  local req = {}
  for k, v in pairs(r) do req[k] = v end
  if req.down ~= nil then
    req.health = llmroute.health()
    for _, full in ipairs(req.down) do
      local ns, name = full:match("^([^/]+)/(.+)$")
      assert(req.health:mark_down(ns, name))
    end
    req.down = nil
  end
  return req
end


local function route_text(name)
  return ("apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\n" ..
          "metadata: {name: %s}\nspec:\n  rules:\n    - backendRefs: [{name: %s-1}, {name: %s-2}]\n")
         :format(name, name, name)
end

local bad_regex = [[apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat}
spec:
  rules:
    - matches:
        - headers:
            - {type: RegularExpression, name: x-ai-eg-model, value: "gpt-(4"}
      backendRefs: [{name: openai}]
]]

test("version", function()
  -- The library's, under both names; the project's when the test runner says which.
  assert(llmroute.version():match("^%d+%.%d+%.%d+$"), llmroute.version())
  eq(llmroute._VERSION, llmroute.version())
  local expected = os.getenv("LLMROUTE_EXPECTED_VERSION")
  if expected and expected ~= "" then eq(llmroute.version(), expected) end
end)

test("shared cases", function()
  local doc = json.decode(read(data .. "/shared_cases.json"))
  local count = 0
  for _, suite in ipairs(doc.suites) do
    local router, err = llmroute.from_file(data .. "/" .. suite.config, suite.options)
    assert(router, err)
    for _, case in ipairs(suite.cases) do
      local d, rerr = router:resolve(request_of(case.request))
      assert(d, rerr)
      eq(render(d), expected(case), suite.name .. ": " .. case.name)
      for _, q in ipairs(case.expect.next or {}) do
        local what = case.name .. ": next after " .. q.attempt .. ", " .. q.status
        eq(render_attempt(llmroute.next_attempt(d, q.attempt, q.status)), q.expect, what)
        eq(render_attempt(router:next_attempt(d, q.attempt, q.status)), q.expect, what)
      end
      eq(d.reason == nil, d.status == "routed", case.name .. ": reason")
      count = count + 1
    end
  end
  assert(count >= 20, "too few cases")
end)

test("shared models", function()
  local models = json.decode(read(data .. "/shared_cases.json")).models
  local router, err = llmroute.from_file(data .. "/" .. models.config)
  assert(router, err)
  for _, case in ipairs(models.cases) do
    local host = case.host
    if host == json.null then host = nil end
    local list = {}
    for i, m in ipairs(router:models(host)) do
      list[i] = { id = m.model, route = nsname(m.route), owned_by = m.owned_by, created = m.created }
    end
    eq(list, case.expect, case.name)
  end
end)

local sticky = data .. "/shared_cases_affinity.yaml"

test("affinity fallbacks are not mixed up between keys", function()
  local router = assert(llmroute.from_file(sticky))
  local names = function(d)
    local out = {}
    for i, f in ipairs(d.fallbacks) do out[i] = nsname(f) end
    return table.concat(out, " ")
  end
  local out = {}
  local first = router:resolve({ headers = { ["x-ai-eg-model"] = "chat", ["x-session"] = "user-1" } })
  eq(names(first), "ns/gamma ns/alpha ns/spare")
  local second = router:resolve({ headers = { ["x-ai-eg-model"] = "chat", ["x-session"] = "c-7" } }, out)
  eq(names(second), "ns/gamma ns/beta ns/spare")
  eq(second.affinity, true)
end)

test("affinity compile option", function()
  local router = assert(llmroute.from_file(quickstart, { affinity_body_field = "user" }))
  local d = assert(router:resolve({ body = '{"model": "llama-3-70b", "user": "u"}' }))
  eq(d.affinity, true)
  local bad, err = llmroute.from_file(quickstart, { affinity_header = "a b" })
  eq(bad, nil)
  assert(err:find("not a valid token"), err)
end)

test("health view: marks, cooldowns, panic", function()
  local router = assert(llmroute.from_file(sticky))
  local health = assert(llmroute.health(1000))
  assert(health:mark_down("ns", "beta", 100))
  local down, until_ms = health:state("ns", "beta")
  eq(down, true)
  eq(until_ms, 1100)
  local req = { headers = { ["x-ai-eg-model"] = "chat", ["x-session"] = "user-3" }, health = health }
  local d = assert(router:resolve(req))
  eq(nsname(d.backend), "ns/alpha")
  eq(d.panic, false)
  assert(health:set_now(1100))
  eq(health:state("ns", "beta"), false)
  eq(nsname(router:resolve(req).backend), "ns/beta")
  for _, name in ipairs({ "alpha", "beta", "gamma", "spare" }) do assert(health:mark_down("ns", name)) end
  eq(router:resolve(req).panic, true)
  assert(health:mark_up("ns", "spare"))
  eq(nsname(router:resolve(req).backend), "ns/spare")
  local ok, err = health:mark_down("ns", "x", 0)
  eq(ok, nil)
  eq(err, "invalid_argument")
  eq(select(2, llmroute.health():set_now(5)), "invalid_argument")
end)

test("retry policy, next attempt and explain", function()
  local router = assert(llmroute.from_file(data .. "/shared_cases_retry.yaml"))
  local d = assert(router:resolve({ headers = { ["x-ai-eg-model"] = "gpt-4o" } }))
  eq(d.retry, { codes = { 429, 503 }, attempts = 2, backoff_ms = 100 })
  eq(d.fallbacks[1].model_override, "gpt-4o-azure")
  eq(d.fallbacks[2].model_override, nil)
  local backend, model = llmroute.next_attempt(d, 1, 503)
  eq(nsname(backend), "team/azure")
  eq(model, "gpt-4o-azure")
  eq(llmroute.next_attempt(d, 1, 500), nil)
  eq(llmroute.next_attempt(d, 0, 0), nil)
  local text = assert(router:explain({ method = "POST", headers = { ["x-ai-eg-model"] = "qwen" } }))
  assert(text:find('met:     header x-ai-eg-model Exact "qwen", seen "qwen"', 1, true), text)
  assert(text:find("decision: routed (200) backend team/qwen-a via rule", 1, true), text)
  assert(text:find("retry: up to 3 retries after a connection failure or timeout or status 502", 1, true), text)
  local bad = assert(router:explain({ entropy = 1, body = "[1]" }))
  assert(bad:find("decision: bad_request (400)", 1, true), bad)
  local none, err = router:explain({ entropy = -1 })
  eq(none, nil)
  assert(err:find("entropy"), err)
  router:close()
  local closed, cerr = router:explain({})
  eq(closed, nil)
  eq(cerr, "router is closed")
end)

test("config error carries the CLI line", function()
  local router, err, kind = llmroute.from_text(bad_regex, nil, "bad.yaml")
  eq(router, nil)
  eq(err, "bad.yaml:8:69: error: spec.rules[0].matches[0].headers[0].value: invalid regular expression: missing ): gpt-(4")
  eq(kind, "config")
end)

test("missing file", function()
  local router, err, kind = llmroute.from_file("/nonexistent/routes.yaml")
  eq(router, nil)
  eq(kind, "not_found")
  assert(err:find("/nonexistent/routes.yaml", 1, true), err)
end)

test("bad options", function()
  local router, err = llmroute.from_file(quickstart, { allowed_backends = "Explicit" })
  eq(router, nil)
  assert(err:find("allowed_backends"), err)
  router, err = llmroute.from_file(quickstart, { no_such_option = 1 })
  eq(router, nil)
  router, err = llmroute.from_file(quickstart, { model_header = "not a token" })
  eq(router, nil)
  assert(err:find("not a token", 1, true), err)
end)

test("max_body_size", function()
  local body = '{"model": "gpt-4o-mini", "pad": "' .. ("x"):rep(29) .. '"}'
  eq(#body, 64)
  local router = assert(llmroute.from_file(quickstart, { max_body_size = 64 }))
  local d = assert(router:resolve({ method = "POST", body = body }))
  eq(d.status, "routed")
  eq(d.model, "gpt-4o-mini")
  d = assert(router:resolve({ method = "POST", body = body .. " " }))
  eq(d.status, "bad_request")
  eq(d.http_status, 400)
  eq(d.reason, "body is larger than the max body size of 64 bytes")
  eq(d.model, nil)
  -- Kept by reload(); the default (64 MiB) reads the same body.
  assert(router:reload())
  eq(assert(router:resolve({ body = body .. " " })).status, "bad_request")
  eq(assert(assert(llmroute.from_file(quickstart)):resolve({ body = body .. " " })).status, "routed")
  assert(llmroute.from_file(quickstart, { max_body_size = 4294967295 }))
  for _, bad in ipairs({ 0, -1, 4294967296, 1.5, "64", true }) do
    local r, err, kind = llmroute.from_file(quickstart, { max_body_size = bad })
    eq(r, nil, "max_body_size = " .. tostring(bad))
    eq(err, "max_body_size must be an integer from 1 to 4294967295")
    eq(kind, "invalid_argument")
  end
end)

test("standard header and header forms", function()
  local router = assert(llmroute.from_file(quickstart))
  local d = assert(router:resolve({ method = "POST", path = "/v1/chat/completions",
                                    headers = { ["x-ai-gateway-backend"] = "llama-cloud" } }))
  eq(d.status, "routed")
  eq(d.http_status, 200)
  eq(d.via, "standard_header")
  eq(nsname(d.backend), "default/llama-cloud")
  eq(nsname(d.route), "default/quickstart")
  eq(#d.fallbacks, 0)
  local as_map = assert(router:resolve({ headers = { ["x-ai-gateway-backend"] = { "openai", "llama-cloud" } } }))
  local as_pairs = assert(router:resolve({ headers = { { "x-ai-gateway-backend", "openai" },
                                                       { "X-AI-Gateway-Backend", "llama-cloud" } } }))
  eq(as_map.status, "bad_request")
  eq(render(as_map), render(as_pairs))
  assert(as_map.reason)
end)

test("body model, out table reused", function()
  local router = assert(llmroute.from_file(quickstart))
  local out = {}
  local d = assert(router:resolve({ method = "POST", body = '{"model": "llama-3-70b"}', entropy = 1 }, out))
  assert(d == out)
  eq(nsname(d.backend), "default/llama-local")
  eq(d.rule, 1)
  eq(d.match, 0)
  eq(nsname(d.fallbacks[1]), "default/llama-cloud")
  d = assert(router:resolve({ body = "[]" }, out))
  eq(d.status, "bad_request")
  eq(d.model, nil)
  eq(d.backend, nil)
  eq(d.rule, nil)
  eq(#d.fallbacks, 0)
end)

test("entropy forms", function()
  local router = assert(llmroute.from_file(quickstart))
  local function backend(e)
    local d = assert(router:resolve({ headers = { ["x-ai-eg-model"] = "llama-3-70b" }, entropy = e }))
    return d.backend.name
  end
  eq(backend(1), "llama-local")
  eq(backend("1"), "llama-local")
  eq(backend("18446744073709551615"), "llama-cloud")
  for _, bad in ipairs({ -1, 1.5, "18446744073709551616", "12a", "" }) do
    local d, err = router:resolve({ entropy = bad })
    eq(d, nil, "entropy " .. tostring(bad))
    assert(err:find("entropy"), err)
  end
end)

test("many headers", function()
  local router = assert(llmroute.from_file(quickstart))
  local headers = {}
  for i = 1, 300 do headers[#headers + 1] = { "x-filler-" .. i, string.rep("v", i) } end
  headers[#headers + 1] = { "x-ai-eg-model", "gpt-4o-mini" }
  local d = assert(router:resolve({ headers = headers }))
  eq(nsname(d.backend), "default/openai")
  eq(d.model, "gpt-4o-mini")
end)

test("models, warnings, model header", function()
  local router = assert(llmroute.from_file(quickstart))
  local models = router:models()
  eq(#models, 2)
  eq(models[1].model, "gpt-4o-mini")
  eq(nsname(models[1].route), "default/quickstart")
  eq(models[2].model, "llama-3-70b")
  eq(#router:warnings(), 0)
  eq(router:model_header(), "x-ai-eg-model")
  local warned = assert(llmroute.from_text("apiVersion: v1\nkind: Foo\n", nil, "w.yaml"))
  eq(warned:warnings(), { 'w.yaml:2:7: warning: kind: skipped document of unknown kind "Foo"' })
end)

test("owned headers and the upstream model", function()
  local router = assert(llmroute.from_file(quickstart))
  eq(router:owned_headers(), { "x-ai-eg-model", "x-ai-gateway-backend" })
  local plain = assert(llmroute.from_text([[
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: o}
spec:
  rules:
  - matches: [{headers: [{name: x-model, value: small}]}]
    backendRefs: [{name: a, modelNameOverride: small-2024}]
  - matches: [{headers: [{name: x-model, value: big}]}]
    backendRefs: [{name: b}]
  - backendRefs: [{name: c}]
]], { model_header = "X-Model" }))
  eq(plain:owned_headers(), { "x-model" })
  local d = assert(plain:resolve({ headers = { ["x-model"] = "small" } }))
  eq(llmroute.upstream_model(d), "small-2024")
  d = assert(plain:resolve({ headers = { ["x-model"] = "big" } }))
  eq(llmroute.upstream_model(d), "big")
  d = assert(plain:resolve({}))
  eq(llmroute.upstream_model(d), nil)
end)

if llmroute.new_headers then  -- the FFI module: headers already in the C layout
  test("header_array: headers as C views", function()
    local ffi = require "ffi"
    local router = assert(llmroute.from_file(quickstart))
    local names = { "X-AI-EG-Model", "x-other" }
    local values = { "llama-3-70b", "v" }
    local array = llmroute.new_headers(2)
    for i = 1, 2 do
      array[i - 1].name.data, array[i - 1].name.len = names[i], #names[i]
      array[i - 1].value.data, array[i - 1].value.len = values[i], #values[i]
    end
    local d = assert(router:resolve({ header_array = array, header_count = 2, entropy = 1 }))
    eq(d.status, "routed")
    eq(d.model, "llama-3-70b")
    d = assert(router:resolve({ header_array = array, header_count = 0 }))
    eq(d.status, "no_route")
    local none, err = router:resolve({ header_array = array, header_count = -1 })
    eq(none, nil)
    eq(err, "header_count must be a non-negative integer with header_array")
    -- A plain call afterwards uses its own headers again.
    d = assert(router:resolve({ headers = { ["x-ai-eg-model"] = "gpt-4o-mini" } }))
    eq(nsname(d.backend), "default/openai")
  end)
end

test("reload between resolves", function()
  local router = assert(llmroute.from_text(route_text("blue")))
  local kept = assert(router:resolve({ entropy = 3 }))
  for i = 1, 30 do
    local name = i % 2 == 1 and "green" or "blue"
    assert(router:reload_text(route_text(name)))
    local d = assert(router:resolve({ entropy = i }))
    eq(d.route.name, name)
    assert(d.backend.name:find(name .. "-", 1, true) == 1)
    assert(d.fallbacks[1].name:find(name .. "-", 1, true) == 1)
    collectgarbage()
  end
  eq(router:generation(), 30)
  eq(kept.route.name, "blue")  -- decisions are copies: the old tables are gone
  assert(router:reload())      -- the same text again
  eq(router:generation(), 31)
  local ok, err, kind = router:reload_text(bad_regex)
  eq(ok, nil)
  eq(kind, "config")
  assert(err:find("gpt-(4", 1, true))
  eq(router:resolve({}).route.name, "blue")
  assert(router:reload_file(quickstart, { standard_header = true }))
  eq(router:resolve({ headers = { ["x-ai-eg-model"] = "gpt-4o-mini" } }).backend.name, "openai")
  assert(router:reload())
end)

test("closed or collected routers", function()
  local router = assert(llmroute.from_text(route_text("blue")))
  local d = assert(router:resolve({}))
  router:close()
  local none, err = router:resolve({})
  eq(none, nil)
  eq(err, "router is closed")
  eq(router:models(), nil)
  router:close()
  router = nil
  collectgarbage()
  collectgarbage()
  eq(d.route.name, "blue")
end)

test("wrong argument types raise", function()
  local router = assert(llmroute.from_file(quickstart))
  assert(not pcall(router.resolve, router, 42))
end)

-- Numbers are not converted: a converted string would live only as long as the call's
-- stack slot, and the library reads the request (and the decision's model points into it)
-- after that. The collector runs constantly here so that a string dropped too early is
-- freed before the library reads it (AddressSanitizer then reports it).
test("non-string request fields are refused", function()
  local router = assert(llmroute.from_file(quickstart))
  -- Every call runs before anything is checked, so that a module which does convert still
  -- goes through all of them (and the collector) rather than stopping at the first.
  local results = {}
  local pause = collectgarbage("setpause", 0)
  for round = 1, 200 do
    local headers = {}
    for i = 1, 80 do headers[i] = { "x-filler-" .. i, 4242424242 + round * 1000 + i } end
    headers[#headers + 1] = { "x-ai-eg-model", 4242424242 + round }
    local calls = {
      { { headers = headers }, "header x-filler-1: value must be a string, not a number" },
      { { headers = { { "x-ai-eg-model", 4242424242 + round } } },
        "header x-ai-eg-model: value must be a string, not a number" },
      { { headers = { ["x-ai-eg-model"] = { "gpt-4o-mini", round } } },
        "header x-ai-eg-model: value must be a string, not a number" },
      { { method = "POST", path = 1234567890123456789 + round, headers = headers },
        "path must be a string, not a number" },
    }
    for _, call in ipairs(calls) do
      local ok, d, e = pcall(router.resolve, router, call[1])
      results[#results + 1] = { ok = ok, d = d, e = e, want = call[2] }
    end
    collectgarbage()
  end
  collectgarbage("setpause", pause)
  for i, r in ipairs(results) do
    assert(r.ok, r.d)
    eq(r.d, nil, "call " .. i)
    eq(r.e, r.want, "call " .. i)
  end
  local d, err2 = router:resolve({ headers = { { 42, "gpt-4o-mini" } } })
  eq(d, nil)
  eq(err2, "header names must be strings, not a number")
  d, err2 = router:resolve({ headers = { { "x-a", {} } } })
  eq(d, nil)
  eq(err2, "header x-a: value must be a string, not a table")
  d, err2 = router:resolve({ headers = { { "x-a", "1" }, "x-b" } })
  eq(d, nil)
  eq(err2, "headers[2] must be a { name, value } pair, not a string")
  for _, field in ipairs({ "method", "host", "path", "body" }) do
    d, err2 = router:resolve({ [field] = true })
    eq(d, nil, field)
    eq(err2, field .. " must be a string, not a boolean")
  end
  d, err2 = llmroute.from_file({ quickstart, 7 })
  eq(d, nil)
  eq(err2, "paths[2] must be a string, not a number")
  -- The strings themselves still work.
  d = assert(router:resolve({ path = "/v1/chat/completions",
                              headers = { { "x-ai-eg-model", "4242424242" } } }))
  eq(d.model, "4242424242")
end)

-- Lists are read raw, once: a __len or __index on the request's tables is not consulted,
-- so one that lies (or answers differently the second time) cannot make the module read
-- past what it allocated.
test("lying __len and __index are ignored", function()
  local router = assert(llmroute.from_file(quickstart))
  local headers = {}
  for i = 1, 200 do headers[i] = { "x-filler-" .. i, "v" } end
  headers[150] = { "x-ai-eg-model", "gpt-4o-mini" }
  local calls = 0
  setmetatable(headers, {
    __len = function() calls = calls + 1; return calls % 2 == 1 and 100 or 200 end,
    __index = function(_, k) return { "x-ai-eg-model", "llama-3-70b" } end,
  })
  for _ = 1, 3 do
    local d = assert(router:resolve({ headers = headers }))
    eq(d.model, "gpt-4o-mini")
    eq(nsname(d.backend), "default/openai")
  end
  local values = setmetatable({ "gpt-4o-mini" }, {
    __len = function() return -1 end,
    __index = function() return "llama-3-70b" end,
  })
  local d = assert(router:resolve({ headers = { ["x-ai-eg-model"] = values } }))
  eq(d.model, "gpt-4o-mini")
  values = setmetatable({}, { __len = function() return 1000000 end,
                              __index = function() return "llama-3-70b" end })
  d = assert(router:resolve({ headers = { ["x-ai-eg-model"] = values } }))
  eq(d.model, nil)
  local paths = setmetatable({ quickstart }, { __len = function() return -1 end,
                                               __index = function() return "/nonexistent" end })
  local r = assert(llmroute.from_file(paths))
  eq(#r:models(), 2)
  paths = setmetatable({ quickstart }, { __len = function() return 1000 end })
  r = assert(llmroute.from_file(paths))
  eq(#r:models(), 2)
end)

-- Every replaced table is released by the reload itself, not left to the collector
-- (which does not see the library's memory).
test("reload releases the replaced table", function()
  local router = assert(llmroute.from_text(route_text("blue")))
  local kept = assert(router:resolve({}))
  collectgarbage()
  local live = llmroute._live_tables()
  collectgarbage("stop")
  local ok, err = pcall(function()
    for i = 1, 50 do
      assert(router:reload_text(route_text(i % 2 == 1 and "green" or "blue")))
      assert(router:reload())
      local d = assert(router:resolve({}))
      eq(d.route.name, i % 2 == 1 and "green" or "blue")
      eq(llmroute._live_tables(), live, "live tables after reload " .. i)
    end
  end)
  collectgarbage("restart")
  assert(ok, err)
  eq(kept.route.name, "blue")
  assert(kept.fallbacks[1].name:find("blue-", 1, true) == 1)
  router:close()
  eq(llmroute._live_tables(), live - 1)
end)

io.write(("%s: %d passed, %d failed\n"):format(interpreter, passed, failed))
os.exit(failed == 0 and 0 or 1)
