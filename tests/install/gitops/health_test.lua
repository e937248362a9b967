-- Runs config/gitops/argocd/health.lua over sample EgressDiagnosis objects the way Argo CD
-- does (the object as a Lua table in the global `obj`, the script's return value is the health)
-- and compares each result with the case's expectation.
--
--   lua5.4 health_test.lua HEALTH_LUA CASES_JSON
--
-- CASES_JSON: [{"name", "expect": {"status", "message"?}, "object"}]; `message` is a plain
-- substring the health message must contain. Exits non-zero when any case differs.

-- A small JSON decoder (objects -> tables, arrays -> sequences, null -> nil), enough for
-- Kubernetes objects; malformed input raises an error naming the offset.
local function decodeJson(text)
  local pos = 1
  local function fail(what)
    error(string.format("JSON: %s at offset %d", what, pos), 0)
  end
  local function skip()
    pos = text:find("[^ \t\r\n]", pos) or (#text + 1)
  end
  local value
  local escapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
                    r = "\r", t = "\t" }
  local function str()
    pos = pos + 1
    local out = {}
    while true do
      local c = text:sub(pos, pos)
      if c == "" then fail("unterminated string") end
      if c == '"' then pos = pos + 1; break end
      if c == "\\" then
        local e = text:sub(pos + 1, pos + 1)
        if e == "u" then
          local hex = text:sub(pos + 2, pos + 5)
          if not hex:match("^%x%x%x%x$") then fail("bad \\u escape") end
          out[#out + 1] = utf8.char(tonumber(hex, 16))
          pos = pos + 6
        elseif escapes[e] then
          out[#out + 1] = escapes[e]
          pos = pos + 2
        else
          fail("bad escape")
        end
      else
        out[#out + 1] = c
        pos = pos + 1
      end
    end
    return table.concat(out)
  end
  function value()
    skip()
    local c = text:sub(pos, pos)
    if c == "{" then
      local t = {}
      pos = pos + 1
      skip()
      if text:sub(pos, pos) == "}" then pos = pos + 1; return t end
      while true do
        skip()
        if text:sub(pos, pos) ~= '"' then fail("expected key") end
        local k = str()
        skip()
        if text:sub(pos, pos) ~= ":" then fail("expected ':'") end
        pos = pos + 1
        t[k] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == "}" then return t end
        if d ~= "," then fail("expected ',' or '}'") end
      end
    elseif c == "[" then
      local t = {}
      pos = pos + 1
      skip()
      if text:sub(pos, pos) == "]" then pos = pos + 1; return t end
      while true do
        t[#t + 1] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == "]" then return t end
        if d ~= "," then fail("expected ',' or ']'") end
      end
    elseif c == '"' then
      return str()
    elseif text:sub(pos, pos + 3) == "true" then
      pos = pos + 4; return true
    elseif text:sub(pos, pos + 4) == "false" then
      pos = pos + 5; return false
    elseif text:sub(pos, pos + 3) == "null" then
      pos = pos + 4; return nil
    else
      local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if num == nil or num == "" then fail("unexpected character") end
      pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  local result = value()
  skip()
  if pos <= #text then fail("trailing data") end
  return result
end

local function readFile(path)
  local f = assert(io.open(path, "r"))
  local text = f:read("a")
  f:close()
  return text
end

local scriptPath, casesPath = arg[1], arg[2]
if scriptPath == nil or casesPath == nil then
  io.stderr:write("usage: lua5.4 health_test.lua HEALTH_LUA CASES_JSON\n")
  os.exit(2)
end
local script = readFile(scriptPath)
local cases = decodeJson(readFile(casesPath))

-- The decoder is tested too: a bug there would make every case meaningless.
local probe = decodeJson('{"a": [1, 2.5, "x\\"y\\u00e9"], "b": {"c": true, "d": null}}')
assert(probe.a[1] == 1 and probe.a[2] == 2.5 and probe.a[3] == 'x"y\u{e9}', "decoder: array")
assert(probe.b.c == true and probe.b.d == nil, "decoder: object")
assert(not pcall(decodeJson, '{"a": 1'), "decoder: accepted truncated input")

local passed, failed = 0, 0
for _, case in ipairs(cases) do
  -- Argo CD gives the script the base, string, table and math libraries and `obj`.
  local env = { obj = case.object, ipairs = ipairs, pairs = pairs, tostring = tostring,
                tonumber = tonumber, type = type, string = string, table = table, math = math }
  local chunk, err = load(script, "=health.lua", "t", env)
  local ok, hs
  if chunk == nil then
    ok, hs = false, err
  else
    ok, hs = pcall(chunk)
  end
  local problem = nil
  if not ok then
    problem = "script error: " .. tostring(hs)
  elseif type(hs) ~= "table" then
    problem = "script returned " .. type(hs)
  elseif hs.status ~= case.expect.status then
    problem = string.format("status %s, want %s (message %q)", tostring(hs.status),
                            case.expect.status, tostring(hs.message))
  elseif case.expect.message ~= nil and
      (hs.message == nil or not hs.message:find(case.expect.message, 1, true)) then
    problem = string.format("message %q does not contain %q", tostring(hs.message),
                            case.expect.message)
  end
  if problem then
    failed = failed + 1
    print("FAIL " .. case.name .. ": " .. problem)
  else
    passed = passed + 1
    print("ok   " .. case.name .. ": " .. hs.status .. " - " .. tostring(hs.message))
  end
end
if #cases == 0 then
  print("no cases in " .. casesPath)
  os.exit(1)
end
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
