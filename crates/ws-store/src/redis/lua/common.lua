-- Shared by every script that writes (prepended by scripts.rs). KEYS are always the
-- session's record (a hash), outbox and inbox (streams), all under one hash tag.

-- A decimal string for a Lua number, never in exponent form.
local function decimal(number)
  return string.format('%d', number)
end

-- Expires all three keys at the record's expiry, or `grace` ms after the server's clock
-- when that expiry has passed already, plus `grace` (clock skew between nodes and Redis).
-- Returns that instant.
local function expire_all(expires_at, grace)
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local at = decimal(math.max(tonumber(expires_at), now) + tonumber(grace))
  for _, key in ipairs(KEYS) do
    redis.call('PEXPIREAT', key, at)
  end
  return at
end

-- Keeps `set` (a node's notice set) at least until `at`: a set lives as long as the
-- latest session it noted, so the set of a node that is gone for good expires too.
local function outlive(set, at)
  if redis.call('PEXPIRETIME', set) < tonumber(at) then
    redis.call('PEXPIREAT', set, at)
  end
end

-- Leaves node `owner` a notice of `member` (a session key in hex) in its set under
-- `prefix`, kept until `at`.
local function notice(prefix, owner, member, at)
  redis.call('SADD', prefix .. owner, member)
  outlive(prefix .. owner, at)
end

-- nil when `node` holds generation `generation` of the session, else the refusal.
local function fence(node, generation)
  local owner = redis.call('HMGET', KEYS[1], 'node', 'gen')
  if not owner[2] then
    return {'missing'}
  end
  if owner[1] ~= node or owner[2] ~= generation then
    return {'fenced', tonumber(generation), tonumber(owner[2])}
  end
  return nil
end

-- The id of the outbox entry (a batch) holding message `acked + 1`: where the outbox
-- starts after an ack of `acked`. Entries before it hold acknowledged messages only.
local function outbox_start(outbox, acked)
  local wanted = decimal(acked + 1)
  local holder = redis.call('XREVRANGE', outbox, wanted, '-', 'COUNT', 1)[1]
  if holder then
    local first = tonumber(string.match(holder[1], '^(%d+)'))
    if first + tonumber(holder[2][2]) > acked + 1 then
      return holder[1]
    end
  end
  return wanted
end
