-- GET with one of many Bearer tokens, in turn: wrk -s bearer_many.lua URL -- TOKENS_FILE (one token a line)
function init(args)
  tokens = {}
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  next_token = 0
end

function request()
  next_token = next_token % #tokens + 1
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[next_token] })
end
