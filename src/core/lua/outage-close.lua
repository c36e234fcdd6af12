-- The agent answered: ends the failure streak, and the outage if one is open.
--
-- KEYS[1] outage            hash: id, announced, since, ...
-- KEYS[2] outage:waiting    set of threads waiting for the outage to end
--
-- Returns {'none'} when no outage was open, else {'closed', '1' when it was announced or '', since
-- (epoch ms), the waiting threads...}.
local s = redis.call('HMGET', KEYS[1], 'id', 'announced', 'since')
redis.call('DEL', KEYS[1])
if not s[1] then return {'none'} end
local waiting = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
local out = {'closed', s[2] or '', s[3]}
for i = 1, #waiting do out[#out + 1] = waiting[i] end
return out
