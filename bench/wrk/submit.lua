-- (a) Online submission: POST /api/v1/portal/submissions as the demo citizen (bearer token), one new
-- Idempotency-Key per request, a small PDF for every component (portal.services.submit →
-- dossiers.services.submit_online: code, components, files, event, audit record, idempotency row,
-- personal store, outbox). The dossier waits at status 1 for the desk; no form is rendered.
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local data
local counter = 0
local prefix

function setup(thread) common.setup(thread) end
function init(args)
  common.seed()
  data = common.load_data()
  prefix = string.format("bench-%d-%d-%d", os.time(), id or 0, math.random(1, 2000000000))
end

function request()
  counter = counter + 1
  local route = common.pick(data.routes)
  local applicant = common.pick(data.applicants)
  local body = string.format(
    '{"procedure":"%s","agency":"%s","applicant":{"name":"%s","identity":"%s","phone":"%s","address":"%s"},' ..
    '"data":{"matter":"Đề nghị giải quyết thủ tục (benchmark)"},"components":[%s]}',
    route.procedure, route.agency, applicant.name, applicant.identity, applicant.phone, applicant.address,
    route.components)
  return wrk.format("POST", "/api/v1/portal/submissions", common.headers({
    ["Authorization"] = "Bearer " .. route.token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }), body)
end

response = common.response
done = common.done
