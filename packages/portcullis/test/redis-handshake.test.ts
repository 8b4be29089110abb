import { randomUUID } from 'node:crypto';
import {
  closeIoredis,
  connectClient,
  delay,
  describeRedis,
  onCleanup,
  readyIoredis,
  testRedisUrl,
} from '@portcullis/testing';
import { createDenylist, redisDenylistStore } from 'portcullis';
import { honest, presetServer } from './helpers';

describeRedis('the preset in Redis mode: the handshake after authentication', () => {
  it('takes the connection lease while the denylist read is still out, not after it', async () => {
    const prefix = `handshake-${randomUUID().slice(0, 8)}`;
    const redis = await readyIoredis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    onCleanup(() => closeIoredis(redis));
    const inner = redisDenylistStore(redis, { prefix: `${prefix}:dl:` });
    // Places alice holds in Redis, seen while the denylist read was in flight.
    const placesDuringRead: number[] = [];
    const { server, guards } = await presetServer({
      connectionLimit: { redis, keyPrefix: `${prefix}:cl`, clusterMaxPerUser: 3 },
      logoutRevoke: {
        denylist: createDenylist({
          store: {
            async getMany(keys) {
              // A slow read: whatever started alongside it has reached Redis meanwhile.
              await delay(100);
              placesDuringRead.push(await redis.zcard(`${prefix}:cl:user:alice`));
              return inner.getMany(keys);
            },
            set: (key, value, ttl) => inner.set(key, value, ttl),
            setMax: (key, value, ttl) => inner.setMax(key, value, ttl),
          },
        }),
      },
    });
    onCleanup(() => guards.connectionLimit?.close());
    const socket = await connectClient(server.url, await honest('alice'));
    expect(socket.connected).toBe(true);
    expect(placesDuringRead).toEqual([1]);
    expect(guards.connectionLimit?.stats()).toMatchObject({ connections: 1, clusterEntries: 1 });
  });
});
