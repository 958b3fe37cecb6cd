-- wrk script for scripts/bench.sh. Set by the environment:
--   BENCH_METHOD (GET), BENCH_BODY (form-encoded), BENCH_COOKIE (a session), BENCH_LIMIT (stop each thread
--   after that many answers; 0 = run for the whole duration), BENCH_MULTIPART (send BENCH_BODY's fields as
--   multipart/form-data: the forms that may carry files post that way, #19).
-- Prints one line: RESULT key=value ... (latencies in microseconds).
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local cookie = os.getenv("BENCH_COOKIE")
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
local multipart = (os.getenv("BENCH_MULTIPART") or "") ~= ""

local function unescape(text)
  text = text:gsub("%+", " ")
  return (text:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))
end

-- The same fields as a multipart body.
local function as_multipart(form, boundary)
  local parts = {}
  for pair in (form or ""):gmatch("[^&]+") do
    local name, value = pair:match("^([^=]*)=?(.*)$")
    parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. unescape(name) ..
      "\"\r\n\r\n" .. unescape(value) .. "\r\n"
  end
  return table.concat(parts) .. "--" .. boundary .. "--\r\n"
end

wrk.method = method
wrk.headers["Accept-Encoding"] = "br, gzip"
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if method == "POST" then
  -- A hydrated page's server-function call: a form body, a JSON answer, no redirect.
  wrk.headers["Accept"] = "application/json"
  if multipart then
    local boundary = "sc3benchboundary7MA4YWxkTrZu0gW"
    wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
    wrk.body = as_multipart(body, boundary)
  else
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.body = body or ""
  end
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
