-- claim: ARGV grace, now, expected token hash, node, lease_until, expires_at, then the
-- new tokens: current, pending ('' for none), used (concatenated hashes), then the notice
-- sets' prefix and the session key in hex: the previous owner's notice of this session,
-- if it has one, passes to the new owner.
local record = KEYS[1]
local held = redis.call('HMGET', record, 'exp', 'cur', 'node')
if not held[1] then
  return {'missing'}
end
if tonumber(held[1]) <= tonumber(ARGV[2]) then
  return {'expired'}
end
if held[2] ~= ARGV[3] then
  return {'token'}
end
local generation = redis.call('HINCRBY', record, 'gen', 1)
redis.call('HSET', record, 'node', ARGV[4], 'lease', ARGV[5], 'exp', ARGV[6],
  'cur', ARGV[7], 'pend', ARGV[8], 'used', ARGV[9])
local at = expire_all(ARGV[6], ARGV[1])
if held[3] and redis.call('SREM', ARGV[10] .. held[3], ARGV[11]) == 1 then
  notice(ARGV[10], ARGV[4], ARGV[11], at)
end
return {'ok', generation}
