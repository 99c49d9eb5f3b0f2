-- POST /sign-in with the username and password given as the script's two arguments.
local body

function init(args)
  body = '{"username":"' .. args[1] .. '","password":"' .. args[2] .. '"}'
end

function request()
  return wrk.format("POST", "/sign-in", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  count(status)
end
