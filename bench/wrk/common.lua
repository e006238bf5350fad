-- Shared by every scenario: the data file written by bench/run, the proxy headers nginx would add,
-- random choice, and a JSON summary (throughput, latency percentiles, errors) written by done().
local M = {}

function M.load_data()
  return dofile(os.getenv("BENCH_DATA"))
end

-- gunicorn sits behind nginx in production (docs/deploy.md): TLS ends there, and nginx tells Django
-- so. Sending the same headers keeps production's HTTPS redirect on without a certificate here.
M.proxy_headers = {
  ["Host"] = "127.0.0.1",
  ["X-Forwarded-Proto"] = "https",
  ["X-Forwarded-For"] = "127.0.0.1",
}

function M.headers(extra)
  local h = {}
  for k, v in pairs(M.proxy_headers) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function M.pick(list)
  return list[math.random(1, #list)]
end

function M.seed()
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

-- Status codes other than the expected one, per thread, summed in done().
local statuses = {}
M.threads = {}

function M.setup(thread)
  thread:set("id", #M.threads + 1)
  table.insert(M.threads, thread)
end

function M.response(status, headers, body)
  if status >= 300 then
    unexpected = (unexpected or 0) + 1
  end
end

function M.done(summary, latency, requests)
  local unexpected = 0
  for _, t in ipairs(M.threads) do
    unexpected = unexpected + (t:get("unexpected") or 0)
  end
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "unexpected_status": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "p999": %d}}',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, unexpected,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency:percentile(99.9)))
  out:close()
end

return M
