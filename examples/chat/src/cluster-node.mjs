// One node of the two-node cluster (started by cluster.mjs): Socket.io's Redis adapter
// carries broadcasts and revocations between nodes, and rate limits, the per-user
// connection cap, the logout denylist and the sign-ins live in Redis.
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { startChatNode } from './chat-node.mjs';
import { readConfig } from './config.mjs';
import { startOrExplain, stopOnSignals } from './lifecycle.mjs';
import { redisSessionStore } from './sessions.mjs';

const config = readConfig();
const redisUrl = config.redisUrl ?? 'redis://127.0.0.1:6379';

// The stores' client fails a command after two retries (every guard handles that). The
// adapter's never does (`null`): @socket.io/redis-adapter drops the promise of each
// publish, and a failed one would be an unhandled rejection that ends the process.
function connect(role, maxRetriesPerRequest) {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest });
  let reported = false;
  client.on('error', (error) => {
    if (reported) return;
    reported = true;
    console.error(`[chat] node ${config.nodeName}: Redis (${role}) error: ${error.message}`);
  });
  client.on('ready', () => (reported = false));
  return client;
}

const redis = connect('stores', 2);
const pub = connect('adapter publish', null);
const sub = connect('adapter subscribe', null);
try {
  await Promise.all([redis.connect(), pub.connect(), sub.connect()]);
} catch (error) {
  console.error(
    `[chat] cluster mode needs Redis at ${redisUrl} (${error.message}). Start one (redis-server) or set REDIS_URL.`,
  );
  process.exit(1);
}

const node = await startOrExplain(
  () =>
    startChatNode(config, {
      sessions: redisSessionStore(redis, config.redisPrefix),
      redis,
      adapter: createAdapter(pub, sub, { key: `${config.redisPrefix}:socket.io` }),
    }),
  config,
);
console.log(`[chat] node ${config.nodeName} ready at ${node.url}`);
process.send?.({ ready: node.url });

stopOnSignals(async () => {
  await node.close();
  // QUIT, not a hard disconnect: the adapter's unsubscribes are still in flight, and a
  // cut connection would reject them unhandled on the way out.
  await Promise.all(
    [redis, pub, sub].map((client) => client.quit().catch(() => client.disconnect())),
  );
});
