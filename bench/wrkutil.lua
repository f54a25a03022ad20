-- What the wrk scripts share (bench/scenario.lua, bench/service.lua), loaded with
-- `require "bench.wrkutil"`: wrk runs from the repository's root.
local M = {}

-- The non-empty lines of dir/file (what the bench script prepared), or none.
function M.lines(dir, file)
  local t = {}
  local f = io.open(dir .. "/" .. file)
  if not f then return t end
  for l in f:lines() do if #l > 0 then t[#t + 1] = l end end
  f:close()
  return t
end

function M.pick(t) return t[math.random(#t)] end

function M.urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- wrk's setup: numbers the threads (the global thread_no of each).
local counter = 0
function M.setup(thread)
  thread:set("thread_no", counter)
  counter = counter + 1
end

-- wrk's done: the RESULT line the bench scripts read.
function M.done(summary, latency)
  local non2xx = summary.errors.status
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f non2xx=%d errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, non2xx, errors, summary.requests))
end

return M
