-- POST /auth/kakao with Kakao id_tokens, as apps on Kakao's SDKs send them: the tokens (one a line, from
-- the emulator's SDK stand-in) are taken in turn, from a random start per thread; each request opens a
-- new session for its user.
--   wrk -s id_token_login.lua URL -- TOKENS_FILE
function init(args)
  tokens = {}
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  counter = math.random(1, #tokens)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"id_token":"' .. tokens[counter % #tokens + 1] .. '","token_delivery":"body"}')
end
