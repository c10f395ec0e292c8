-- POST /auth/kakao against the emulator in --accept-any-code mode.
--   wrk -s login.lua URL -- existing REDIRECT_URI USERS : codes user-1 … user-USERS (registered by a warm-up)
--   wrk -s login.lua URL -- new REDIRECT_URI            : a fresh code, so a new user, every request
local created = 0

function setup(thread)
  thread:set("index", created)
  created = created + 1
end

function init(args)
  mode, redirect_uri, users = args[1], args[2], tonumber(args[3] or "1000")
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() + tonumber(index) * 7919)
  salt = tostring(math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local code
  if mode == "new" then
    code = "new-" .. index .. "-" .. salt .. "-" .. counter
  else
    code = "user-" .. ((counter * 2 + tonumber(index)) % users + 1)
  end
  return wrk.format(nil, nil, nil, '{"code":"' .. code .. '","redirect_uri":"' .. redirect_uri .. '","token_delivery":"body"}')
end
