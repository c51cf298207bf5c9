-- Per-call cost of router:resolve on the request of bench/capi_bench.cc (the quick-start
-- configuration, standard header and model rule), in CPU time:
--
--   LLMROUTE_LIBRARY=build/capi/libllmroute.so LUA_PATH='bindings/lua/?.lua' \
--     luajit bindings/lua/bench.lua examples/quickstart.yaml
--   LUA_CPATH_5_3='build/bindings/lua/5.3/?.so' lua5.3 bindings/lua/bench.lua examples/quickstart.yaml
local llmroute = require "llmroute"
local config = assert(arg[1], "usage: bench.lua CONFIG [ITERATIONS]")
local iterations = tonumber(arg[2] or 1000000)
local router = assert(llmroute.from_file(config))
local interpreter = (jit and jit.version .. " FFI") or (_VERSION .. " C module")

local cases = {
  { "standard_header", { method = "POST", path = "/v1/chat/completions", entropy = 7,
      headers = { { "x-ai-eg-model", "llama-3-70b" }, { "x-ai-gateway-backend", "llama-cloud" } } } },
  { "model_rule", { method = "POST", path = "/v1/chat/completions", entropy = 7,
      headers = { { "x-ai-eg-model", "llama-3-70b" } } } },
}

for _, case in ipairs(cases) do
  local name, req = case[1], case[2]
  local out = {}
  for _ = 1, 10000 do router:resolve(req, out) end  -- warm up (and let the JIT compile)
  local best = math.huge
  for _ = 1, 5 do
    local start = os.clock()
    for _ = 1, iterations do router:resolve(req, out) end
    best = math.min(best, os.clock() - start)
  end
  assert(out.status == "routed")
  print(("%-28s %-16s %8.1f ns/call"):format(interpreter, name, best / iterations * 1e9))
end
