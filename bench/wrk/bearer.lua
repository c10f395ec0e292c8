-- GET with a Bearer token: wrk -s bearer.lua URL -- TOKEN
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
