-- POST /auth/refresh, rotating for real: each thread owns a pool of sessions (one refresh token file line
-- each); a request takes a token from the pool, its answer puts the successor back. With more sessions
-- than connections no token is ever presented twice.  wrk -t THREADS -s refresh.lua URL -- TOKENS_FILE THREADS
local created = 0

function setup(thread)
  thread:set("index", created)
  created = created + 1
end

function init(args)
  pool = {}
  local index, count, line_number = tonumber(index), tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if line_number % count == index then table.insert(pool, line) end
    line_number = line_number + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local token = table.remove(pool) or "exhausted"
  return wrk.format(nil, nil, nil, '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then table.insert(pool, token) end
end
