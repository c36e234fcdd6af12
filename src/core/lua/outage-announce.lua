-- Marks an outage as announced to admins, for the first caller only; never recreates the hash of an
-- outage that is over.
--
-- KEYS[1] outage   hash: id, announced, ...
-- ARGV[1] the outage's id
--
-- Returns 1 for the first caller, 0 when it was announced already or is over.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
return redis.call('HSETNX', KEYS[1], 'announced', '1')
