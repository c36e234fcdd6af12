-- Starts a step of a run: checks its claim, reads the head and its progress record (a record of
-- another head is dropped), and counts a new attempt when the head is a question with no answer yet.
-- (How long calls and sends have been failing is read and written by `failed`, not here.)
--
-- KEYS[1] run:<thread>     the run holding the claim
-- KEYS[2] inbox:<thread>   the thread's messages, oldest first
-- KEYS[3] turn:<thread>    the head's progress: head, tries, posted, chunks, timeouts
-- ARGV[1] the run
-- ARGV[2] the progress record's TTL, seconds
-- ARGV[3] burst coalescing: the most messages one question may join (1: off). When a question is
--         first attempted, the questions right behind it from the same person (up to that many in
--         all) join it, and how many is recorded with its progress (`merged`), so that every later
--         attempt, and the advance after it, takes the same ones.
--
-- Returns {'stale'} (the run lost the claim), {'empty'} (no message), or
-- {'head', raw entry, tries before this one, chunks posted, chunks as JSON or '', timeouts,
--  the raw entries joined to it (a list, empty when none)}
-- (an unreadable entry comes with no progress: {'head', raw, 0, 0, '', 0, {}}).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'stale'} end
local raw = redis.call('LINDEX', KEYS[2], 0)
if not raw then return {'empty'} end
local ok, entry = pcall(cjson.decode, raw)
if not ok or type(entry) ~= 'table' or type(entry.id) ~= 'string' then return {'head', raw, 0, 0, '', 0, {}} end
local s = redis.call('HMGET', KEYS[3], 'head', 'tries', 'posted', 'chunks', 'timeouts', 'merged')
if s[1] ~= entry.id then
  redis.call('DEL', KEYS[3])
  s = {entry.id, false, false, false, false, false}
end
local tries = tonumber(s[2] or '0')
local merged = tonumber(s[6] or '0')
local max = tonumber(ARGV[3] or '1')
if merged == 0 and entry.kind == 'ask' and not s[4] and max > 1 then
  local user = type(entry.message) == 'table' and type(entry.message.user) == 'table' and entry.message.user.id
  merged = 1
  for _, next in ipairs(redis.call('LRANGE', KEYS[2], 1, max - 1)) do
    local fine, e = pcall(cjson.decode, next)
    if not fine or type(e) ~= 'table' or e.kind ~= 'ask' or type(e.message) ~= 'table'
      or type(e.message.user) ~= 'table' or e.message.user.id ~= user then break end
    merged = merged + 1
  end
end
if merged == 0 then merged = 1 end
if entry.kind == 'ask' and not s[4] then
  redis.call('HSET', KEYS[3], 'head', entry.id, 'tries', tries + 1, 'merged', merged)
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
local joined = {}
if merged > 1 then joined = redis.call('LRANGE', KEYS[2], 1, merged - 1) end
return {'head', raw, tries, tonumber(s[3] or '0'), s[4] or '', tonumber(s[5] or '0'), joined}
