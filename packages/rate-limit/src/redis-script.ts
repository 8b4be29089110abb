/**
 * Counts one consume in every window of a scope, in one round trip. Per window (one key
 * each; ARGV: cost, then points, duration s, block s per window) it does what
 * rate-limiter-flexible's Redis script and its block step do for one: start the window
 * with its expiry if absent, add the cost, read the time left, and on the consume that
 * first crosses the limit, hold the key for the block duration. Returns, per window,
 * the count and the milliseconds left. Run through core's Redis adapter (`EVALSHA`,
 * `EVAL` when Redis lost it, readiness and a deadline per call).
 */
export const WINDOWS_SCRIPT = `
local cost = tonumber(ARGV[1])
local result = {}
for i = 1, #KEYS do
  local points = tonumber(ARGV[i * 3 - 1])
  local duration = tonumber(ARGV[i * 3])
  local block = tonumber(ARGV[i * 3 + 1])
  redis.call('set', KEYS[i], 0, 'EX', duration, 'NX')
  local consumed = redis.call('incrby', KEYS[i], cost)
  local ttl = redis.call('pttl', KEYS[i])
  if ttl < 0 then
    redis.call('expire', KEYS[i], duration)
    ttl = 1000 * duration
  end
  if consumed > points and block > 0 and consumed - cost <= points then
    redis.call('set', KEYS[i], consumed, 'EX', block)
    ttl = 1000 * block
  end
  result[i * 2 - 1] = consumed
  result[i * 2] = ttl
end
return result
`;
