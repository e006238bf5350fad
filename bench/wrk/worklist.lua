-- (c) Officer worklist, first page: GET /api/v1/worklists/unit with the bearer token of a random
-- officer (receiving officers and specialists of busy units).
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local data

function setup(thread) common.setup(thread) end
function init(args) common.seed(); data = common.load_data() end

function request()
  local officer = common.pick(data.officers)
  return wrk.format("GET", "/api/v1/worklists/" .. officer.kind,
    common.headers({["Authorization"] = "Bearer " .. officer.token}))
end

response = common.response
done = common.done
