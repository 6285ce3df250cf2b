-- post to the inbox: ARGV grace ms, kind, payload. The id comes from the record's counter.
local expires_at = redis.call('HGET', KEYS[1], 'exp')
if not expires_at then
  return {'missing'}
end
local id = redis.call('HINCRBY', KEYS[1], 'posts', 1)
redis.call('XADD', KEYS[3], decimal(id) .. '-0', 'k', ARGV[2], 'p', ARGV[3])
expire_all(expires_at, ARGV[1])
return {'ok', id}
