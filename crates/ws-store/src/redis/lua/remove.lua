-- remove, fenced: ARGV node, generation, the notice sets' prefix, the session key in hex.
-- The owner's notice of the session goes with it.
local refused = fence(ARGV[1], ARGV[2])
if refused then
  return refused
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SREM', ARGV[3] .. ARGV[1], ARGV[4])
return {'ok'}
