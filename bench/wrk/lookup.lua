-- (b) Public lookup by dossier code: GET /api/v1/lookup/{code}, random existing codes.
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local data

function setup(thread) common.setup(thread) end
function init(args) common.seed(); data = common.load_data() end

function request()
  return wrk.format("GET", "/api/v1/lookup/" .. common.pick(data.codes), common.headers())
end

response = common.response
done = common.done
