-- Shared by every scenario: counts non-2xx answers per thread and prints one JSON summary;
-- a scenario may define finish(threads) to collect what its threads hold at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

non2xx = 0

function count(status)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  if finish then
    finish(threads)
  end
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad,
    errors.connect, errors.read, errors.write, errors.timeout))
end
