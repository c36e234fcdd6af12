-- Replaces a head's rendered answer with the same text cut smaller, while the run holds the claim,
-- keeping the count of chunks posted.
--
-- KEYS[1] run:<thread>    the run holding the claim
-- KEYS[2] turn:<thread>   the head's progress record
-- ARGV[1] the run
-- ARGV[2] the head's entry id
-- ARGV[3] the answer's chunks (JSON array)
--
-- Returns 1 when replaced, 0 when the run lost the claim or the record is another head's (nothing changed).
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('HGET', KEYS[2], 'head') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 'chunks', ARGV[3])
return 1
