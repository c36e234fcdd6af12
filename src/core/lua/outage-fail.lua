-- Counts a retryable agent failure in the streak; opens the outage once the streak is long enough,
-- or pushes its next probe time out with a capped, jittered exponential backoff.
--
-- KEYS[1] outage           hash: failures, since, code, id, probes, next, announced
-- ARGV[1] now, epoch ms
-- ARGV[2] the id of an outage this failure opens
-- ARGV[3] the failure's code (`server`, `timeout`, ...)
-- ARGV[4] the shortest delay before the next probe, ms (the API's Retry-After, or 0)
-- ARGV[5] the probe backoff's base, ms
-- ARGV[6] the probe backoff's cap, ms
-- ARGV[7] jitter, 0..1
-- ARGV[8] '1' when a probe or trial call failed (it backs the probes off further), else '0'
-- ARGV[9] the streak that opens an outage
-- ARGV[10] the hash's TTL, seconds
--
-- Returns {'none'} (a streak too short to be an outage), or {'opened' | 'existed', outage id,
-- since (epoch ms), next probe time (epoch ms)}.
local now = tonumber(ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures == 1 then redis.call('HSET', KEYS[1], 'since', now) end
redis.call('HSET', KEYS[1], 'code', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[10])
local state = 'existed'
if not redis.call('HGET', KEYS[1], 'id') then
  if failures < tonumber(ARGV[9]) then return {'none'} end
  state = 'opened'
  redis.call('HSET', KEYS[1], 'id', ARGV[2], 'probes', 0, 'next', 0)
end
local probes = tonumber(redis.call('HGET', KEYS[1], 'probes') or '0')
if ARGV[8] == '1' then
  probes = probes + 1
  redis.call('HSET', KEYS[1], 'probes', probes)
end
-- The first probe comes as late as the streak's next retry would have (base * 2^2), then later.
local delay = math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) * 2 ^ math.min(probes + 2, 30))
delay = math.floor(math.min(tonumber(ARGV[6]), delay * (0.75 + tonumber(ARGV[7]) * 0.5)))
delay = math.max(delay, tonumber(ARGV[4]))
-- A failed probe sets the next probe time (the probe had held it while it ran); other failures only push it out.
local next = now + delay
if ARGV[8] ~= '1' then next = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), next) end
redis.call('HSET', KEYS[1], 'next', next)
local s = redis.call('HMGET', KEYS[1], 'id', 'since')
return {state, s[1], s[2], next}
