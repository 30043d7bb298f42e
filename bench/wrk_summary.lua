-- wrk reporter for bench/load.py and bench/run.py: one machine-readable line at the end of a run,
-- with the p95 that `wrk --latency` does not print (it prints p50, p75, p90 and p99), and the
-- number of answers whose status was not the one expected (wrk itself only counts statuses ≥ 400
-- as errors, so a redirect to the login page would pass unnoticed). Latencies in µs.
-- A script that loads this one (bench/wrk_post.lua) may set expected_status first (default 200).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

expected_status = expected_status or 200
unexpected = 0

function response(status, headers, body)
  if status ~= expected_status then
    unexpected = unexpected + 1
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + (thread:get("unexpected") or 0)
  end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d mean_us=%.0f "
      .. "connect=%d read=%d write=%d status=%d timeout=%d bytes=%d unexpected=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes, wrong
  ))
end
