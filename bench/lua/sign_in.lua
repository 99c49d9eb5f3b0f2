-- POST /sign-in for the accounts named in a file (one username a line), in turn, with the
-- password given as the second argument: like many users signing in, not one user many times.
local bodies = {}
local next_body = 0

function init(args)
  for username in io.lines(args[1]) do
    table.insert(bodies, '{"username":"' .. username .. '","password":"' .. args[2] .. '"}')
  end
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/sign-in", { ["Content-Type"] = "application/json" },
    bodies[next_body])
end

function response(status, headers, body)
  count(status)
end
