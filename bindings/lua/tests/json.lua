-- A small JSON decoder for the tests (Lua 5.1/LuaJIT, 5.3, 5.4): objects, arrays, strings
-- with escapes (\uXXXX to UTF-8), numbers, true/false/null. null decodes to json.null.
-- Integers too large for a double keep their decimal text (a string), so 64-bit entropies
-- survive.
local json = { null = setmetatable({}, { __tostring = function() return "null" end }) }

local function utf8_char(c)
  if c < 0x80 then return string.char(c) end
  if c < 0x800 then return string.char(0xC0 + math.floor(c / 64), 0x80 + c % 64) end
  if c < 0x10000 then
    return string.char(0xE0 + math.floor(c / 4096), 0x80 + math.floor(c / 64) % 64, 0x80 + c % 64)
  end
  return string.char(0xF0 + math.floor(c / 262144), 0x80 + math.floor(c / 4096) % 64,
                     0x80 + math.floor(c / 64) % 64, 0x80 + c % 64)
end

local escapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

function json.decode(text)
  local pos = 1
  local value

  local function fail(what) error(("json: %s at byte %d"):format(what, pos), 0) end
  local function skip() pos = text:find("[^ \t\r\n]", pos) or #text + 1 end

  local function str()
    local out = {}
    pos = pos + 1
    while true do
      local c = text:sub(pos, pos)
      if c == "" then fail("unterminated string") end
      if c == '"' then pos = pos + 1 break end
      if c == "\\" then
        local e = text:sub(pos + 1, pos + 1)
        if e == "u" then
          local code = tonumber(text:sub(pos + 2, pos + 5), 16)
          pos = pos + 6
          if code >= 0xD800 and code < 0xDC00 and text:sub(pos, pos + 1) == "\\u" then
            local low = tonumber(text:sub(pos + 2, pos + 5), 16)
            code = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00)
            pos = pos + 6
          end
          out[#out + 1] = utf8_char(code)
        else
          out[#out + 1] = escapes[e] or e
          pos = pos + 2
        end
      else
        local stop = text:find('["\\]', pos) or #text + 1
        out[#out + 1] = text:sub(pos, stop - 1)
        pos = stop
      end
    end
    return table.concat(out)
  end

  function value()
    skip()
    local c = text:sub(pos, pos)
    if c == "{" then
      local obj = {}
      pos = pos + 1
      skip()
      if text:sub(pos, pos) == "}" then pos = pos + 1 return obj end
      while true do
        skip()
        local key = str()
        skip()
        if text:sub(pos, pos) ~= ":" then fail("expected :") end
        pos = pos + 1
        obj[key] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == "}" then return obj end
        if d ~= "," then fail("expected , or }") end
      end
    elseif c == "[" then
      local arr = {}
      pos = pos + 1
      skip()
      if text:sub(pos, pos) == "]" then pos = pos + 1 return arr end
      while true do
        arr[#arr + 1] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == "]" then return arr end
        if d ~= "," then fail("expected , or ]") end
      end
    elseif c == '"' then
      return str()
    elseif text:sub(pos, pos + 3) == "true" then pos = pos + 4 return true
    elseif text:sub(pos, pos + 4) == "false" then pos = pos + 5 return false
    elseif text:sub(pos, pos + 3) == "null" then pos = pos + 4 return json.null
    else
      local token = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not token or token == "" then fail("unexpected character") end
      pos = pos + #token
      if token:match("^%d+$") and #token > 15 then return token end
      local n = tonumber(token)
      return (math.tointeger and math.tointeger(n)) or n
    end
  end

  local result = value()
  skip()
  if pos <= #text then fail("trailing characters") end
  return result
end

return json
