-- POST /tokens/refresh from a pool of refresh tokens (one a line); each answer's new refresh
-- token replaces the one sent, so every chain rotates. A refused token leaves the pool. With a
-- second argument, the tokens held at the end (each the latest of its chain) go to that file.
queue = {}
head, tail = 1, 0
pool_out = nil

function init(args)
  for line in io.lines(args[1]) do
    tail = tail + 1
    queue[tail] = line
  end
  pool_out = args[2]
end

function request()
  local token = "the-pool-ran-dry"
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  end
  return wrk.format("POST", "/tokens/refresh", { ["Content-Type"] = "application/json" },
    '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  count(status)
  local successor = body:match('"refresh_token":"([^"]+)"')
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
