-- A probe of an outage was given up (the bridge is stopping): the next turn may probe at once.
--
-- KEYS[1] outage   hash: id, next, ...
-- ARGV[1] the outage's id (another outage's probe time is left alone)
-- ARGV[2] now, epoch ms
--
-- Returns 1 when the probe slot was given back, 0 when that outage is over.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'next', ARGV[2])
return 1
