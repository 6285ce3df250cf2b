-- post to the inbox: ARGV grace ms, kind, payload, the notice sets' prefix, the session
-- key in hex, the most posts the inbox may hold. The id comes from the record's counter.
-- The owner's notice set is the one key a script touches outside the session's hash tag
-- (not on Redis Cluster: see mod.rs); the set lives as long as the latest session it notes.
local expires_at = redis.call('HGET', KEYS[1], 'exp')
if not expires_at then
  return {'missing'}
end
if redis.call('XLEN', KEYS[3]) >= tonumber(ARGV[6]) then
  return {'full', tonumber(ARGV[6])}
end
local id = redis.call('HINCRBY', KEYS[1], 'posts', 1)
redis.call('XADD', KEYS[3], decimal(id) .. '-0', 'k', ARGV[2], 'p', ARGV[3])
local at = expire_all(expires_at, ARGV[1])
local owner = redis.call('HGET', KEYS[1], 'node')
if owner then
  notice(ARGV[4], owner, ARGV[5], at)
end
return {'ok', id}
