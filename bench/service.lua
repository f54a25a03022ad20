-- wrk script for the customer-service benchmark: `wrk … -s bench/service.lua URL --
-- NAME DIR`. DIR holds what bench/service.sh prepared: token (a support agent's API
-- token), queues (queue ids), words (search words of the knowledge base, English and
-- Chinese).
local scenario, dir
local queues, words = {}, {}
local headers = {}
local serial = 0
thread_no = 0

local util = require "bench.wrkutil"
local pick, urlencode = util.pick, util.urlencode
local function lines(file) return util.lines(dir, file) end
setup = util.setup

function init(args)
  scenario, dir = args[1], args[2]
  math.randomseed(os.time() + thread_no * 7919)
  queues, words = lines("queues"), lines("words")
  headers["Authorization"] = "Bearer " .. lines("token")[1]
  headers["Content-Type"] = "application/json"
end

local PRIORITIES = { "p1", "p2", "p3", "p3", "p4" }
local PRODUCTS = { "Label printer", "Scanner", "Rapport Cloud", "培训服务" }

local scenarios = {
  -- A queue's open cases, the most urgent first (the agent's screen).
  worklist = function()
    return wrk.format("GET", "/api/v1/cases/worklist?queue_id=" .. pick(queues), headers)
  end,
  -- Suggestions while a subject is typed: two words of the knowledge base.
  kb_suggest = function()
    return wrk.format("GET", "/api/v1/kb/suggest?q=" .. urlencode(pick(words) .. " " .. pick(words)),
      headers)
  end,
  -- The knowledge base's own search: a list of articles by a word.
  kb_search = function()
    return wrk.format("GET", "/api/v1/kb_articles?q=" .. urlencode(pick(words)) .. "&limit=20", headers)
  end,
  -- A new case: number, queue rules, assignment and SLA clocks in its transaction.
  create = function()
    serial = serial + 1
    local body = string.format(
      '{"subject":"Bench case %d-%d","priority":"%s","product":"%s","channel":"phone"}',
      thread_no, serial, pick(PRIORITIES), pick(PRODUCTS))
    return wrk.format("POST", "/api/v1/cases", headers, body)
  end,
}

function request()
  return scenarios[scenario]()
end

done = util.done
