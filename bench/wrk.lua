-- Requests for wrk from a file the benchmark writes (see bench/load.py):
--   line 1: method (then optionally <TAB> and an Authorization header value), line 2: body
--   (may be empty), then one "path<TAB>cookie" line per request, optionally followed by
--   <TAB> and that request's own body (instead of line 2's).
-- Threads take interleaved lines so every request of a run uses a different line until
-- the list runs out; then they wrap around (the benchmark counts those as repeats).
-- done() prints one JSON line with the latency percentiles, for the benchmark to parse.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  method, authorization = file:read("*l"):match("^([^\t]*)\t?(.*)$")
  body = file:read("*l")
  if body == "" then body = nil end
  entries = {}
  local own_bodies = false
  for line in file:lines() do
    local path, cookie, own = line:match("^([^\t]*)\t?([^\t]*)\t?(.*)$")
    if own == "" then own = nil else own_bodies = true end
    table.insert(entries, {path, cookie, own})
  end
  file:close()
  stride = tonumber(args[2])
  position = thread_index
  sent = 0
  local headers = {}
  if body or own_bodies then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  if authorization ~= "" then headers["Authorization"] = authorization end
  base_headers = headers
end

function request()
  local entry = entries[((position - 1) % #entries) + 1]
  position = position + stride
  sent = sent + 1
  local headers = {}
  for k, v in pairs(base_headers) do headers[k] = v end
  if entry[2] ~= "" then headers["Cookie"] = entry[2] end
  return wrk.format(method, entry[1], headers, entry[3] or body)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
