-- load: the record's fields, the outbox from the batch holding acked_through + 1, the
-- inbox, read at once.
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then
  return {'missing'}
end
local acked = tonumber(redis.call('HGET', KEYS[1], 'acked'))
local outbox = redis.call('XRANGE', KEYS[2], outbox_start(KEYS[2], acked), '+')
return {'ok', fields, outbox, redis.call('XRANGE', KEYS[3], '-', '+')}
