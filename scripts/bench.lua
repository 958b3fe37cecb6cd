-- wrk script for scripts/bench.sh. Set by the environment:
--   BENCH_METHOD (GET), BENCH_BODY (form-encoded), BENCH_COOKIE (a session), BENCH_LIMIT (stop each thread
--   after that many answers; 0 = run for the whole duration).
-- Prints one line: RESULT key=value ... (latencies in microseconds).
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local cookie = os.getenv("BENCH_COOKIE")
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")

wrk.method = method
wrk.headers["Accept-Encoding"] = "br, gzip"
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if method == "POST" then
  -- A hydrated page's server-function call: a form body, a JSON answer, no redirect.
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Accept"] = "application/json"
  wrk.body = body or ""
end

if limit > 0 then
  local answers = 0
  function response(status, headers, body)
    answers = answers + 1
    if answers >= limit then
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
