-- wrk script: every request asks the next path of the file named by WRK_PATHS, the
-- WRK_THREADS threads taking turns, so no path is asked twice until the list is used up.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  paths[#paths + 1] = line
end

local started = 0
function setup(thread)
  thread:set("offset", started)
  started = started + 1
end

local stride = tonumber(os.getenv("WRK_THREADS"))
local n = 0
function request()
  local path = paths[(offset + n * stride) % #paths + 1]
  n = n + 1
  return wrk.format("GET", path)
end
