-- Claims the pauses of human takeover that have run out, for this caller alone: each is removed
-- from both keys and returned, so that exactly one process announces its end.
--
-- KEYS[1] pauses       hash: thread -> the pause as JSON
-- KEYS[2] pauses:due   sorted set: thread by the pause's end, epoch ms
-- ARGV[1] now, epoch ms: pauses that ended by then are claimed
-- ARGV[2] at most this many
--
-- Returns the claimed pauses' JSON values (an ended thread without a pause is only unlisted).
local threads = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, thread in ipairs(threads) do
  redis.call('ZREM', KEYS[2], thread)
  local value = redis.call('HGET', KEYS[1], thread)
  if value then
    redis.call('HDEL', KEYS[1], thread)
    table.insert(out, value)
  end
end
return out
