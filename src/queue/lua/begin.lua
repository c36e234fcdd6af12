-- Starts a step of a run: checks its claim, reads the head and its progress record (a record of
-- another head is dropped), and counts a new attempt when the head is a question with no answer yet.
-- (How long calls and sends have been failing is read and written by `failed`, not here.)
--
-- KEYS[1] run:<thread>     the run holding the claim
-- KEYS[2] inbox:<thread>   the thread's messages, oldest first
-- KEYS[3] turn:<thread>    the head's progress: head, tries, posted, chunks, timeouts
-- ARGV[1] the run
-- ARGV[2] the progress record's TTL, seconds
--
-- Returns {'stale'} (the run lost the claim), {'empty'} (no message), or
-- {'head', raw entry, tries before this one, chunks posted, chunks as JSON or '', timeouts}
-- (an unreadable entry comes with no progress: {'head', raw, 0, 0, '', 0}).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'stale'} end
local raw = redis.call('LINDEX', KEYS[2], 0)
if not raw then return {'empty'} end
local ok, entry = pcall(cjson.decode, raw)
if not ok or type(entry) ~= 'table' or type(entry.id) ~= 'string' then return {'head', raw, 0, 0, '', 0} end
local s = redis.call('HMGET', KEYS[3], 'head', 'tries', 'posted', 'chunks', 'timeouts')
if s[1] ~= entry.id then
  redis.call('DEL', KEYS[3])
  s = {entry.id, false, false, false, false}
end
local tries = tonumber(s[2] or '0')
if entry.kind == 'ask' and not s[4] then
  redis.call('HSET', KEYS[3], 'head', entry.id, 'tries', tries + 1)
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
return {'head', raw, tries, tonumber(s[3] or '0'), s[4] or '', tonumber(s[5] or '0')}
