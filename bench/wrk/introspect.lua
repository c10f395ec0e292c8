-- POST /auth/introspect with a form token: wrk -s introspect.lua URL -- TOKEN
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.body = "token=" .. args[1]
end
