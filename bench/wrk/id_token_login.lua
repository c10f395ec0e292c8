-- POST /auth/kakao with Kakao id_tokens, as apps on Kakao's SDKs send them. Each id_token logs in once, so
-- the tokens (one `<id_token> <nonce>` a line, from the emulator's /emulator/id-tokens) are shared out
-- between the threads by line number and each is sent once; a thread that runs out starts again from its
-- first, and those repeats answer 400 id_token_reused, which wrk counts as errors (mint more). Each request
-- opens a new session for its user.
--   wrk -t THREADS -s id_token_login.lua URL -- TOKENS_FILE THREADS
local created = 0
function setup(thread)
  thread:set("id", created)
  created = created + 1
end

function init(args)
  local threads = tonumber(args[2])
  bodies = {}
  local number = 0
  for line in io.lines(args[1]) do
    if number % threads == id then
      local token, nonce = line:match("^(%S+) (%S+)$")
      table.insert(bodies, '{"id_token":"' .. token .. '","nonce":"' .. nonce .. '","token_delivery":"body"}')
    end
    number = number + 1
  end
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter - 1) % #bodies + 1])
end
