-- What the nginx and HAProxy examples share, in plain Lua (LuaJIT and Lua 5.3): the
-- OpenAI-shaped error body of a request llmroute did not route, and the file that maps
-- each backend to the address the proxy connects to.
local _M = {}

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

-- A JSON string literal of `s` (bytes are kept; control characters escaped).
function _M.json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESCAPES[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

-- The body answering a request that was not routed, as OpenAI's API shapes errors:
--   {"error": {"type": "invalid_request_error", "message": "...", "code": "no_route"}}
-- `code` is the decision's status ("no_route", "backend_not_allowed", ...) or the
-- gateway's own ("no_table", "body_too_large", "unknown_backend").
function _M.error_body(http_status, code, message)
  local kind = http_status >= 500 and "server_error" or "invalid_request_error"
  return '{"error": {"type": "' .. kind .. '", "message": ' .. _M.json_string(message or code)
         .. ', "code": ' .. _M.json_string(code) .. '}}\n'
end

-- Parses a backends file: one backend a line, `namespace/name host:port`; `#` starts a
-- comment. Returns { ["ns/name"] = { host =, port =, address = "host:port" } } or
-- nil, "file:line: message".
function _M.parse_backends(text, file_name)
  local map = {}
  local line_number = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    line_number = line_number + 1
    line = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
    if line ~= "" then
      local name, host, port = line:match("^(%S+/%S+)%s+([^%s:]+):(%d+)$")
      port = tonumber(port)
      if not name or port < 1 or port > 65535 then
        return nil, string.format("%s:%d: expected 'namespace/name host:port', got %q",
                                  file_name or "backends", line_number, line)
      end
      map[name] = { host = host, port = port, address = host .. ":" .. port }
    end
  end
  return map
end

-- The whole content of a file, or nil, err.
function _M.read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("*a")
  f:close()
  return text
end

return _M
