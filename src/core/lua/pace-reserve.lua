-- Reserves a send slot under a platform's limits (one generic cell rate per limit, on Redis's
-- clock): when the chat's limit allows a send now, reserves the global limit's next slot, counts the
-- chat's send at that slot, and says how long until it comes. Otherwise reserves nothing. Only chats
-- ready to send take global slots, so a chat's later messages never hold the slots of other chats.
--
-- KEYS[1] pace:<platform>:all             the global limit's theoretical arrival time, ms
-- KEYS[2] pace:<platform>:chat:<channel>  the chat's
-- ARGV[1] the global limit's interval, ms
-- ARGV[2] the global limit's burst
-- ARGV[3] the chat limit's interval, ms
-- ARGV[4] the chat limit's burst
--
-- Returns {'reserved', ms until the slot (>= 0)} or {'chat_busy', ms until the chat allows a send}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function tat(key)
  local v = tonumber(redis.call('GET', key) or now)
  if v < now then return now end
  return v
end
local function earliest(tat, i)
  return tat - tonumber(ARGV[2 * i - 1]) * (tonumber(ARGV[2 * i]) - 1)
end
local global, chat = tat(KEYS[1]), tat(KEYS[2])
local chatAt = earliest(chat, 2)
if chatAt > now then return {'chat_busy', chatAt - now} end
local at = math.max(now, earliest(global, 1))
local function take(key, tat, i)
  local nextTat = math.max(tat, at) + tonumber(ARGV[2 * i - 1])
  redis.call('SET', key, string.format('%d', nextTat), 'PX', nextTat - now + 1000)
end
take(KEYS[1], global, 1)
take(KEYS[2], chat, 2)
return {'reserved', at - now}
