-- wrk script: replay requests prepared by benchmarks/httpload.py, each with its own cookie and body.
--
-- Usage: wrk -t2 -c50 -d10s -s benchmarks/replay.lua http://127.0.0.1:PORT -- FILE MODE THREADS
--   FILE    one request per line: METHOD <tab> PATH <tab> COOKIE <tab> BODY (form-encoded, may be empty)
--   MODE    "cycle": go round the lines again and again (pages that may be asked for many times);
--           "once": every line at most once (final submits of personal links, single-use): when a
--           thread runs out of lines it wraps round and counts it, so the caller can say it needs more
--   THREADS the -t value: thread i takes lines i, i + THREADS, ... so no two threads share a line
--
-- The CSRF token of each form sits in its body and the matching session cookie in its Cookie
-- header (both read from pages the app served while preparing, see httpload.csrf_pairs), so the
-- app validates every POST as it would a browser's. Each thread counts statuses ("303:thanks":
-- the last path segment of the Location) and done() prints one RESULT line for httpload.py to read.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[3])
  once = args[2] == "once"
  prepared, index, sent, wrapped, counts = {}, 0, 0, 0, {}
  local line_number = 0
  for line in io.lines(file) do
    if line_number % nthreads == id then
      local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if cookie ~= "" then headers["Cookie"] = cookie end
      if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" else body = nil end
      table.insert(prepared, wrk.format(method, path, headers, body))
    end
    line_number = line_number + 1
  end
end

function request()
  index = index + 1
  if index > #prepared then
    index = 1
    if once then wrapped = wrapped + 1 end
  end
  sent = sent + 1
  return prepared[index]
end

function response(status, headers, body)
  local key = tostring(status)
  if status == 303 then
    key = key .. ":" .. string.match(headers["Location"] or headers["location"] or "", "[^/]*$")
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local sent_total, wrapped_total, totals = 0, 0, {}
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    wrapped_total = wrapped_total + thread:get("wrapped")
    for key, n in pairs(thread:get("counts")) do totals[key] = (totals[key] or 0) + n end
  end
  local parts = {}
  for key, n in pairs(totals) do table.insert(parts, key .. "=" .. n) end
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f sent=%d wrapped=%d p50_ms=%.2f p99_ms=%.2f statuses=%s\n",
    summary.requests, summary.duration / 1e6, sent_total, wrapped_total,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ",")
  ))
end
