-- Stores a message at the end of its thread's inbox, once per id, and starts the thread's turn when
-- it has none.
--
-- KEYS[1] seen:<message id>   dedupe marker (expires after ARGV[2] seconds)
-- KEYS[2] inbox:<thread>      the thread's messages, oldest first
-- KEYS[3] active:<thread>     the job id of the thread's turn, while it has one
-- KEYS[4] turns               sorted set of threads with a turn, by start time
-- ARGV[1] the entry (JSON)
-- ARGV[2] dedupe TTL, seconds
-- ARGV[3] the thread
-- ARGV[4] when the entry was accepted, epoch ms (the new turn's start)
-- ARGV[5] the most messages an inbox may hold
-- ARGV[6] the job id of a new turn
--
-- Returns {'full'} (nothing stored), {'duplicate'} (seen before: nothing stored), {'queued'} (stored,
-- the thread's turn is running) or {'started', ARGV[6]} (stored, a new turn to enqueue).
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[5]) then return {'full'} end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return {'duplicate'} end
redis.call('RPUSH', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then return {'queued'} end
redis.call('SET', KEYS[3], ARGV[6])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
return {'started', ARGV[6]}
