-- Records chunks posted for a head: a fact, whoever holds the claim, but never on another head's
-- record nor lowering the count.
--
-- KEYS[1] run:<thread>    the run holding the claim
-- KEYS[2] turn:<thread>   the head's progress record
-- ARGV[1] the run
-- ARGV[2] the head's entry id
-- ARGV[3] how many chunks are posted
--
-- Returns 1 while the run holds the claim, 0 when it lost it (the count is recorded either way).
if redis.call('HGET', KEYS[2], 'head') == ARGV[2]
  and tonumber(redis.call('HGET', KEYS[2], 'posted') or '0') < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[2], 'posted', ARGV[3])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
