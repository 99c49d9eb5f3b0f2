-- POST wrk's URL from a pool of refresh tokens (one a line); each answer's new refresh token
-- replaces the one sent, so every chain rotates. A refused token leaves the pool. With a
-- second argument, the tokens held at the end (each the latest of its chain) go to that file.
-- Another server's refresh shape may follow: the content type, the body with TOKEN where the
-- refresh token goes, and the JSON key of the new one in the answer (default: this server's).
queue = {}
head, tail = 1, 0
pool_out = nil
local content_type, before, after, successor_pattern

function init(args)
  for line in io.lines(args[1]) do
    tail = tail + 1
    queue[tail] = line
  end
  pool_out = args[2]
  content_type = args[3] or "application/json"
  before, after = (args[4] or '{"refresh_token":"TOKEN"}'):match("^(.*)TOKEN(.*)$")
  successor_pattern = '"' .. (args[5] or "refresh_token") .. '"%s*:%s*"([^"]+)"'
end

function request()
  local token = "the-pool-ran-dry"
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  end
  return wrk.format("POST", nil, { ["Content-Type"] = content_type }, before .. token .. after)
end

function response(status, headers, body)
  count(status)
  local successor = status >= 200 and status <= 299 and body:match(successor_pattern)
  if successor then
    tail = tail + 1
    queue[tail] = successor
  end
end

function finish(threads)
  for _, thread in ipairs(threads) do
    local path = thread:get("pool_out")
    if path then
      local file = io.open(path, "w")
      local held = thread:get("queue")
      for i = thread:get("head"), thread:get("tail") do
        file:write(held[i], "\n")
      end
      file:close()
    end
  end
end
