-- GET wrk's path; with a token file (one access token a line) each request sends the next one.
local tokens = {}
local next_token = 1

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      tokens[#tokens + 1] = line
    end
  end
end

function request()
  if #tokens == 0 then
    return wrk.format("GET")
  end
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  return wrk.format("GET", nil, { Authorization = "Bearer " .. token })
end

function response(status, headers, body)
  count(status)
end
