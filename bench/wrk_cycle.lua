-- wrk script for `make bench`: each request takes the next path of a list (the threads
-- interleave, so no path is fetched twice while the list lasts); once the list is used
-- up, a query parameter `_r=<salt>-<round>` makes every further request a distinct URL
-- again, so that the page cache, keyed on the full path, misses every time (the salt
-- differs from run to run, so no run meets the pages an earlier run left in the cache).
--
--   wrk ... -s bench/wrk_cycle.lua http://127.0.0.1:PORT -- PATHS_FILE THREADS SALT

local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  threads = tonumber(args[2])
  salt = args[3] or "0"
  n = 0
end

function request()
  local k = n * threads + id
  n = n + 1
  local path = paths[(k % #paths) + 1]
  local round = math.floor(k / #paths)
  if round > 0 then
    local sep = "?"
    if string.find(path, "?", 1, true) then sep = "&" end
    path = path .. sep .. "_r=" .. salt .. "-" .. round
  end
  return wrk.format("GET", path)
end
