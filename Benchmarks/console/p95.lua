-- wrk: print the latency percentiles the console's benchmark reports, in milliseconds.
local cookie = os.getenv("TB_COOKIE")
wrk.headers["Cookie"] = cookie
done = function(summary, latency, requests)
  io.write(string.format("requests %d errors %d p50 %.2f p95 %.2f p99 %.2f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
