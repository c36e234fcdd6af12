-- A run of a turn's job claims the thread: the latest claim wins, so a run that lost its BullMQ lock
-- (and whose job was handed to another run) finds out before it asks the agent, posts or pops.
--
-- KEYS[1] active:<thread>   the job id of the thread's turn
-- KEYS[2] run:<thread>      the run holding the claim
-- ARGV[1] the job id
-- ARGV[2] the run
-- ARGV[3] the claim's TTL, seconds
--
-- Returns 1 when claimed, 0 when the turn belongs to another job (nothing changed).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
