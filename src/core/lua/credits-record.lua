-- Records one agent reply's credits: per-day totals by platform, per chat and per user, the day's
-- chats by spend, the latest balance with when it was read, and the low-balance thresholds crossed
-- going down (each alerts once, re-armed when the balance goes back above it, i.e. after a top-up).
-- As few calls as it takes (each call inside a script costs the Redis server several µs, and this runs
-- for every reply): the TTLs are set with the day's first reply of a platform, and the alerted set is
-- read once and changed only when a threshold is crossed or re-armed.
--
-- KEYS[1] credits:day:<date>     hash: total, p:<platform> credits, n:<platform> replies,
--                                g:<agent> credits of a routed agent (AGENT_ROUTES)
-- KEYS[2] credits:chats:<date>   sorted set of chats by credits
-- KEYS[3] credits:balance        hash: remaining, at (credits:balance:<agent> for a routed agent's key)
-- KEYS[4] credits:alerted        set of thresholds already alerted (credits:alerted:<agent> likewise)
-- KEYS[5] credits:by:<date>      hash: c:<thread> and u:<user> credits
-- ARGV[1] credits the reply used
-- ARGV[2] the balance after it, or '' when the reply did not say
-- ARGV[3] now, epoch ms
-- ARGV[4] how long the day's counters are kept, seconds
-- ARGV[5] the platform
-- ARGV[6] the thread
-- ARGV[7] the user (`<platform>:<id>`)
-- ARGV[8] the routed agent that answered, or '' for the platform's key
-- ARGV[9...] the low-balance thresholds
--
-- Returns the thresholds this reading crossed going down (none when the balance is unknown).
local credits = tonumber(ARGV[1])
if credits > 0 then
  redis.call('HINCRBY', KEYS[1], 'total', credits)
  redis.call('HINCRBY', KEYS[1], 'p:' .. ARGV[5], credits)
  local replies = redis.call('HINCRBY', KEYS[1], 'n:' .. ARGV[5], 1)
  redis.call('HINCRBY', KEYS[5], 'c:' .. ARGV[6], credits)
  redis.call('HINCRBY', KEYS[5], 'u:' .. ARGV[7], credits)
  redis.call('ZINCRBY', KEYS[2], credits, ARGV[6])
  if ARGV[8] ~= '' then redis.call('HINCRBY', KEYS[1], 'g:' .. ARGV[8], credits) end
  if replies == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    redis.call('EXPIRE', KEYS[2], ARGV[4])
    redis.call('EXPIRE', KEYS[5], ARGV[4])
  end
end
if ARGV[2] == '' then return {} end
local remaining = tonumber(ARGV[2])
redis.call('HSET', KEYS[3], 'remaining', remaining, 'at', ARGV[3])
local alerted = {}
for _, t in ipairs(redis.call('SMEMBERS', KEYS[4])) do alerted[t] = true end
local crossed = {}
for i = 9, #ARGV do
  local t = ARGV[i]
  if remaining <= tonumber(t) then
    if not alerted[t] then
      redis.call('SADD', KEYS[4], t)
      table.insert(crossed, t)
    end
  elseif alerted[t] then
    redis.call('SREM', KEYS[4], t)
  end
end
return crossed
