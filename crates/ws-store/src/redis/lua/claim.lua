-- claim: ARGV grace, now, expected token hash, node, lease_until, expires_at, then the
-- new tokens: current, pending ('' for none), used (concatenated hashes).
local record = KEYS[1]
local held = redis.call('HMGET', record, 'exp', 'cur')
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
expire_all(ARGV[6], ARGV[1])
return {'ok', generation}
