-- Stores a head's rendered answer, before its first chunk is posted, while the run holds the claim.
--
-- KEYS[1] run:<thread>    the run holding the claim
-- KEYS[2] turn:<thread>   the head's progress record
-- ARGV[1] the run
-- ARGV[2] the head's entry id
-- ARGV[3] the answer's chunks (JSON array)
-- ARGV[4] the progress record's TTL, seconds
--
-- Returns 1 when stored (no chunk posted yet), 0 when the run lost the claim (nothing stored).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'head', ARGV[2], 'chunks', ARGV[3], 'posted', 0)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
