-- (a) Submission. Today: reception at the counter, POST /api/v1/dossiers (receive_dossier: code,
-- components, first step, event, audit record, signed Mẫu 01, outbox), as the receiving officer of
-- the agency. The citizen API (POST /api/v1/portal/submissions with Idempotency-Key) will replace
-- this: only request() below changes (path, token of a citizen, Idempotency-Key header).
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local data
local counter = 0

function setup(thread) common.setup(thread) end
function init(args) common.seed(); data = common.load_data() end

function request()
  counter = counter + 1
  local route = common.pick(data.routes)
  local applicant = common.pick(data.applicants)
  local body = string.format(
    '{"procedure":"%s","agency":"%s","channel":1,"applicant":{"name":"%s","identity":"%s","phone":"%s",' ..
    '"address":"%s"},"components":[%s],"sets_count":1}',
    route.procedure, route.agency, applicant.name, applicant.identity, applicant.phone, applicant.address,
    route.components)
  return wrk.format("POST", "/api/v1/dossiers", common.headers({
    ["Authorization"] = "Bearer " .. route.token,
    ["Content-Type"] = "application/json",
  }), body)
end

response = common.response
done = common.done
