-- Pops the head (with the messages joined to it) if it is still the one answered, forgets its progress, and ends the turn when the
-- inbox is empty and the turn is still this job's, in one step, so that a message arriving at that
-- instant is never stranded. A run that lost the claim pops nothing: it only records the chunks it
-- posted (never on another head's record nor lowering the count), so the run that took over does
-- not post them again.
--
-- KEYS[1] inbox:<thread>   the thread's messages, oldest first
-- KEYS[2] active:<thread>  the job id of the thread's turn
-- KEYS[3] turns            sorted set of threads with a turn
-- KEYS[4] turn:<thread>    the head's progress record
-- KEYS[5] run:<thread>     the run holding the claim
-- ARGV[1] the raw head answered ('' pops nothing)
-- ARGV[2] the thread
-- ARGV[3] the job id of the turn
-- ARGV[4] the run
-- ARGV[5] the entry id whose chunks were posted ('' when none to record)
-- ARGV[6] how many chunks of it are posted ('' when none to record)
-- ARGV[7] how many messages the head's answer took (the head and those joined to it; default 1)
--
-- Returns {'stale'} when the run lost the claim, else {'left', messages left} (0: the turn ended).
if redis.call('GET', KEYS[5]) ~= ARGV[4] then
  if ARGV[6] ~= '' and redis.call('HGET', KEYS[4], 'head') == ARGV[5]
    and tonumber(redis.call('HGET', KEYS[4], 'posted') or '0') < tonumber(ARGV[6]) then
    redis.call('HSET', KEYS[4], 'posted', ARGV[6])
  end
  return {'stale'}
end
if ARGV[1] ~= '' and redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LTRIM', KEYS[1], tonumber(ARGV[7] or '1'), -1)
  redis.call('DEL', KEYS[4])
end
local left = redis.call('LLEN', KEYS[1])
if left == 0 and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
  redis.call('DEL', KEYS[5])
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return {'left', left}
