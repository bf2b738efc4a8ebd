-- wrk script of the HTTP load benchmark (run-http-benchmark.sh): each request carries
-- `Authorization: Bearer <token>` with the next token of a file (one per line), cycling, so a file
-- of one line repeats one token and a file of 10,000 lines rotates through 10,000 members' tokens.
--
--   wrk -t1 -c32 -d15s -s tokens.lua http://127.0.0.1:8080/me -- tokens.txt
--
-- At the end it prints one line for the script to read:
--   RESULT requests=… seconds=… rps=… p50_us=… p99_us=… non2xx=… socket_errors=…

local tokens = {}
local count = 0
local position = 0
local path = "/"
local threads = 0

-- Runs in the main Lua state once per thread: threads start at different places in the file.
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open the token file")
  for line in file:lines() do
    if #line > 0 then
      count = count + 1
      tokens[count] = "Bearer " .. line
    end
  end
  file:close()
  assert(count > 0, "the token file is empty")
  path = wrk.path
  position = ((thread_index or 0) * 7919) % count
end

function request()
  position = position % count + 1
  return wrk.format("GET", path, { ["Authorization"] = tokens[position] })
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
