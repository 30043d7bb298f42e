-- wrk reporter for bench/load.py: one machine-readable line at the end of a run, with the p95
-- that `wrk --latency` does not print (it prints p50, p75, p90 and p99). Latencies in µs.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d mean_us=%.0f "
      .. "connect=%d read=%d write=%d status=%d timeout=%d bytes=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes
  ))
end
