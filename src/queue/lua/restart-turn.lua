-- Hands a turn to a new job id if it still belongs to the old one (the sweeper revives a lost turn).
--
-- KEYS[1] active:<thread>   the job id of the thread's turn
-- KEYS[2] turns             sorted set of threads with a turn, by start time
-- ARGV[1] the old job id
-- ARGV[2] the thread
-- ARGV[3] now, epoch ms (the turn's new start)
-- ARGV[4] the new job id
--
-- Returns 1 when handed over, 0 when the turn moved on (nothing changed).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
