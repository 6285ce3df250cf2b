-- create: ARGV[1] grace ms, then the record's field/value pairs.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'exists'}
end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
expire_all(redis.call('HGET', KEYS[1], 'exp'), ARGV[1])
return {'ok'}
