-- wrk script for every benchmark scenario: `wrk … -s bench/scenario.lua URL -- NAME DIR`.
-- DIR holds what bench/run.sh prepared: token, ids (contacts the signed-in sales user
-- may read), own_ids (contacts it owns and may edit), names (last names to filter by), cursors (name<TAB>next_cursor), prefixes
-- (3-letter search prefixes), calendar (the query of a team's week).
local scenario, dir
local ids, own, names, cursors, prefixes, calendar = {}, {}, {}, {}, {}, ""
local headers = {}
local serial = 0
-- Set per thread by setup() through thread:set, so globals.
thread_no, nthreads = 0, 1

local util = require "bench.wrkutil"
local pick, urlencode = util.pick, util.urlencode
local function lines(file) return util.lines(dir, file) end
setup = util.setup

function init(args)
  scenario, dir = args[1], args[2]
  nthreads = tonumber(args[3] or "1")
  math.randomseed(os.time() + thread_no * 7919)
  ids, own, names = lines("ids"), lines("own_ids"), lines("names")
  prefixes = lines("prefixes")
  for _, l in ipairs(lines("cursors")) do
    local name, cur = l:match("^(.-)\t(.*)$")
    cursors[#cursors + 1] = { name, cur }
  end
  calendar = (lines("calendar")[1]) or ""
  if scenario ~= "patch" and scenario ~= "mixed" then
    response = nil -- only PATCHes need to read answers (for the versions)
  end
  local token = lines("token")[1]
  if token then headers["Authorization"] = "Bearer " .. token end
  headers["Content-Type"] = "application/json"
end

local LIST = "&sort=first_name&limit=20"

local function get()
  return wrk.format("GET", "/api/v1/contacts/" .. pick(ids), headers)
end

local function create()
  serial = serial + 1
  local tag = thread_no .. "x" .. serial .. "x" .. math.random(1e9)
  local body = string.format(
    '{"first_name":"Bench%s","last_name":"%s","email":"bench.%s@bench.example","title":"Buyer"}',
    tag, pick(names), tag)
  return wrk.format("POST", "/api/v1/contacts", headers, body)
end

-- Each thread walks its own slice of own_ids round and round, sending the version it
-- last saw (a fresh copy of the database has every record at version 1); the slice is
-- far longer than the requests in flight, so no two PATCHes race for one record. The
-- patch scenario walks the first half of own_ids and the mixed one the second half:
-- each is a new wrk process that knows no versions, so they never edit the same records.
local versions = {}
local next_own = nil
local function patch()
  local half = math.floor(#own / 2)
  local lo, hi = 1, half
  if scenario == "mixed" then lo, hi = half + 1, #own end
  if not next_own or next_own > hi then next_own = lo + thread_no end
  local id = own[next_own]
  next_own = next_own + nthreads
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  h["If-Match"] = '"' .. (versions[id] or 1) .. '"'
  return wrk.format("PATCH", "/api/v1/contacts/" .. id, h,
    '{"title":"Patched by the benchmark ' .. math.random(1e6) .. '"}')
end

function response(status, hdrs, body)
  if status == 200 and body then
    local id = body:match('"id":"([%w%-]+)"')
    local v = body:match('"version":(%d+)')
    if id and v then versions[id] = tonumber(v) end
  end
end

local scenarios = {
  get = get,
  list = function()
    return wrk.format("GET", "/api/v1/contacts?last_name=" .. urlencode(pick(names)) .. LIST, headers)
  end,
  next = function()
    local c = pick(cursors)
    return wrk.format("GET", "/api/v1/contacts?last_name=" .. urlencode(c[1]) .. LIST ..
      "&cursor=" .. urlencode(c[2]), headers)
  end,
  count = function()
    return wrk.format("GET", "/api/v1/contacts?count=true&last_name=" .. urlencode(pick(names)) ..
      LIST, headers)
  end,
  fts = function()
    return wrk.format("GET", "/api/v1/contacts?limit=20&q=" .. urlencode(pick(prefixes)), headers)
  end,
  search = function()
    return wrk.format("GET", "/api/v1/search?q=" .. urlencode(pick(prefixes)), headers)
  end,
  pipeline = function() return wrk.format("GET", "/api/v1/pipeline", headers) end,
  calendar = function() return wrk.format("GET", "/api/v1/calendar?" .. calendar, headers) end,
  create = create,
  patch = patch,
  mixed = function()
    local r = math.random(100)
    if r <= 80 then return get() elseif r <= 95 then return create() else return patch() end
  end,
}

function request()
  return scenarios[scenario]()
end

done = util.done
