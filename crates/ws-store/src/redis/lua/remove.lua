-- remove, fenced: ARGV node, generation.
local refused = fence(ARGV[1], ARGV[2])
if refused then
  return refused
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return {'ok'}
