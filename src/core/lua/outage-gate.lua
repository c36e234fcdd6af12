-- A turn about to call the agent asks the outage's gate: no outage, wait for the next probe time,
-- or probe now (exactly one turn gets the probe slot: the next probe time moves ahead meanwhile).
--
-- KEYS[1] outage   hash: id, since, code, next, ...
-- ARGV[1] now, epoch ms
-- ARGV[2] how long the probe may hold the slot, ms
--
-- Returns {'open'} (no outage), {'wait', next probe time, id, since, code} or
-- {'probe', id, since, code}.
local s = redis.call('HMGET', KEYS[1], 'id', 'since', 'code', 'next')
if not s[1] then return {'open'} end
local now = tonumber(ARGV[1])
local next = tonumber(s[4] or '0')
if now < next then return {'wait', next, s[1], s[2], s[3] or ''} end
redis.call('HSET', KEYS[1], 'next', now + tonumber(ARGV[2]))
return {'probe', s[1], s[2], s[3] or ''}
