-- commit of one session's changes. ARGV: 1 node, 2 generation, 3 grace ms, 4 acked_through,
-- 5 received_through, 6-8 tokens (current, pending, used), 9 lease_until, 10 expires_at,
-- 11 inbox_through ('' where a change is absent), then the batch of entries: 12 how many,
-- 13 the first one's sequence number, 14-15 where the batch's own numbers break (position,
-- number found; '' if they do not), 16 the messages encoded (batch.rs).
local refused = fence(ARGV[1], ARGV[2])
if refused then
  return refused
end
local record, outbox = KEYS[1], KEYS[2]
local next_seq = tonumber(redis.call('HGET', record, 'next'))
local count = tonumber(ARGV[12])
-- Checked before anything changes: a refused append leaves the session as it was.
if count > 0 and tonumber(ARGV[13]) ~= next_seq then
  return {'order', next_seq, tonumber(ARGV[13])}
end
if ARGV[14] ~= '' then
  return {'order', next_seq + tonumber(ARGV[14]), tonumber(ARGV[15])}
end
if count > 0 then
  redis.call('XADD', outbox, ARGV[13] .. '-0', 'n', ARGV[12], 'b', ARGV[16])
  redis.call('HSET', record, 'next', decimal(next_seq + count))
end

-- Raises a counter field to `value` (never lowers it); '' leaves it.
local function raise(field, value)
  if value == '' then
    return
  end
  local raised = math.max(tonumber(redis.call('HGET', record, field)), tonumber(value))
  redis.call('HSET', record, field, decimal(raised))
  return raised
end

local acked = raise('acked', ARGV[4])
if acked then
  redis.call('XTRIM', outbox, 'MINID', outbox_start(outbox, acked))
end
raise('recv', ARGV[5])
if ARGV[6] ~= '' then
  redis.call('HSET', record, 'cur', ARGV[6], 'pend', ARGV[7], 'used', ARGV[8])
end
if ARGV[9] ~= '' then
  redis.call('HSET', record, 'lease', ARGV[9], 'exp', ARGV[10])
end
if ARGV[11] ~= '' then
  redis.call('XTRIM', KEYS[3], 'MINID', decimal(tonumber(ARGV[11]) + 1))
end
expire_all(redis.call('HGET', record, 'exp'), ARGV[3])
return {'ok'}
