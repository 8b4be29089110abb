import { createHash } from 'node:crypto';
import type { RedisClientLike } from './redis-store';

/**
 * Counts one consume in every window of a scope, in one round trip. Per window (one key
 * each; ARGV: cost, then points, duration s, block s per window) it does what
 * rate-limiter-flexible's Redis script and its block step do for one: start the window
 * with its expiry if absent, add the cost, read the time left, and on the consume that
 * first crosses the limit, hold the key for the block duration. Returns, per window,
 * the count and the milliseconds left.
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

const WINDOWS_SCRIPT_SHA = createHash('sha1').update(WINDOWS_SCRIPT).digest('hex');
const IOREDIS_COMMAND = 'portcullisRateWindows';

type RunScript = (keys: readonly string[], args: readonly string[]) => Promise<unknown>;

interface IoredisLike {
  defineCommand(name: string, definition: { lua: string }): void;
  [IOREDIS_COMMAND]?: (...args: (string | number)[]) => Promise<unknown>;
}

interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

function isIoredis(client: RedisClientLike): client is RedisClientLike & IoredisLike {
  return typeof (client as { defineCommand?: unknown }).defineCommand === 'function';
}

/**
 * ioredis: a defined command (EVALSHA, with EVAL when Redis lost its script cache).
 * node-redis v4+: EVALSHA, and EVAL once when Redis answers NOSCRIPT.
 */
function scriptRunner(client: RedisClientLike): RunScript {
  if (isIoredis(client)) {
    if (typeof client[IOREDIS_COMMAND] !== 'function') {
      client.defineCommand(IOREDIS_COMMAND, { lua: WINDOWS_SCRIPT });
    }
    return (keys, args) =>
      (client[IOREDIS_COMMAND] as NonNullable<IoredisLike[typeof IOREDIS_COMMAND]>)(
        keys.length,
        ...keys,
        ...args,
      );
  }
  const redis = client as RedisClientLike & NodeRedisLike;
  return async (keys, args) => {
    // node-redis only reads these arrays.
    const options = { keys: keys as string[], arguments: args as string[] };
    try {
      return await redis.evalSha(WINDOWS_SCRIPT_SHA, options);
    } catch (error) {
      if (!String((error as { message?: unknown })?.message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(WINDOWS_SCRIPT, options);
    }
  };
}

/**
 * Whether the client can send a command now. A command sent while it cannot would wait
 * in the client's offline queue for as long as Redis is down; failing at once lets the
 * insurance (or `onStoreError`) answer instead. Clients we do not know are asked anyway.
 */
function readiness(client: RedisClientLike): () => boolean {
  const state = client as { status?: unknown; isReady?: unknown };
  if (typeof state.status === 'string') return () => state.status === 'ready';
  if (typeof state.isReady === 'boolean') return () => state.isReady === true;
  return () => true;
}

export interface WindowsScript {
  readonly ready: () => boolean;
  readonly run: RunScript;
}

export function windowsScript(client: RedisClientLike): WindowsScript {
  return { ready: readiness(client), run: scriptRunner(client) };
}
