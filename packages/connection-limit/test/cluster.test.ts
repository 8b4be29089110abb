import {
  closeIoredis,
  delay,
  describeRedis,
  onCleanup,
  pollUntil,
  readyIoredis,
  readyNodeRedis,
  startOwnRedis,
} from '@portcullis/testing';
import { Redis } from 'ioredis';
import { connectionLimitGuard } from '../src';
import { twoNodes } from './cluster-helpers';
import { connectAs, limitedServer, refusedAs, waitUntil } from './helpers';

describeRedis('connection-limit: cluster-wide per-user cap (real Redis)', () => {
  it('holds the per-user cap across two servers sharing Redis', async () => {
    const { a, b } = await twoNodes({ maxPerUser: 5, clusterMaxPerUser: 2 });
    const first = await connectAs(a.server.url, { user: 'alice' });
    await connectAs(b.server.url, { user: 'alice' });
    const error = await refusedAs(b.server.url, { user: 'alice' });
    expect(error.data).toMatchObject({
      code: 'CONNECTION_LIMIT',
      retryable: true,
      info: { limit: 'cluster-user', max: 2 },
    });
    expect((await refusedAs(a.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });
    await connectAs(a.server.url, { user: 'bob' });
    first.disconnect();
    await waitUntil(
      () => a.guard.stats().clusterEntries === 1,
      () => a.guard.stats(),
    );
    // The release reaches Redis asynchronously; the place frees up right after.
    let admitted = false;
    for (let attempt = 0; attempt < 20 && !admitted; attempt++) {
      admitted = await connectAs(b.server.url, { user: 'alice' }).then(
        () => true,
        () => false,
      );
      if (!admitted) await delay(50);
    }
    expect(admitted).toBe(true);
    expect(b.guard.stats().clusterEntries).toBe(2);
  });

  it('stops counting the connections of a node that can no longer refresh them', async () => {
    const { a, b, redisA } = await twoNodes({
      clusterMaxPerUser: 2,
      leaseTtlMs: 1500,
      heartbeatMs: 300,
    });
    await connectAs(a.server.url, { user: 'alice' });
    await connectAs(a.server.url, { user: 'alice' });
    // Past the TTL, the heartbeat has kept node A's entries alive.
    await delay(2500);
    expect((await refusedAs(b.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });
    // Node A is cut off from Redis, as if it had crashed: nothing refreshes its entries.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    onCleanup(() => emitWarning.mockRestore());
    await redisA.quit();
    let admitted = false;
    const deadline = Date.now() + 10_000;
    while (!admitted && Date.now() < deadline) {
      admitted = await connectAs(b.server.url, { user: 'alice' }).then(
        () => true,
        () => false,
      );
      if (!admitted) await delay(200);
    }
    expect(admitted).toBe(true);
    // Node A said, once, that its entries could no longer be refreshed.
    expect(emitWarning.mock.calls.map((call) => call[1])).toEqual([
      { code: 'PORTCULLIS_CONNECTION_LIMIT_STORE' },
    ]);
  });

  it('makes room for the newest socket with disconnect-oldest without exceeding the cluster cap', async () => {
    const { a, b } = await twoNodes({
      maxPerUser: 2,
      clusterMaxPerUser: 2,
      perUserPolicy: 'disconnect-oldest',
    });
    const oldest = await connectAs(a.server.url, { user: 'alice' });
    await connectAs(a.server.url, { user: 'alice' });
    const told = new Promise<unknown>((resolve) => oldest.once('portcullis:disconnect', resolve));
    await connectAs(a.server.url, { user: 'alice' });
    expect(await told).toMatchObject({ code: 'CONNECTION_LIMIT' });
    expect(a.guard.stats()).toMatchObject({ connections: 2, clusterEntries: 2 });
    // Still two places taken cluster-wide: the other node refuses a third.
    expect((await refusedAs(b.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });
  });

  it('gives its entries back on close()', async () => {
    const { a, b } = await twoNodes({ clusterMaxPerUser: 1 });
    await connectAs(a.server.url, { user: 'alice' });
    expect((await refusedAs(b.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });
    await a.guard.close();
    await connectAs(b.server.url, { user: 'alice' });
  });
});

describeRedis('connection-limit: Redis scripts', () => {
  /** How many times Redis ran each script command so far. */
  async function scriptCalls(redis: Redis): Promise<{ eval: number; evalsha: number }> {
    const stats = (await redis.info('commandstats')) as string;
    const calls = (command: string): number =>
      Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    return { eval: calls('eval'), evalsha: calls('evalsha') };
  }

  it('sends the lease script once and runs it by its digest, even after Redis forgot it', async () => {
    // A Redis of its own: its command counters and script cache are this test's alone.
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const observer = await readyIoredis(own.url);
    const { server, guard } = await limitedServer({
      redis: await readyNodeRedis(own.url),
      clusterMaxPerUser: 3,
      leaseTtlMs: 120_000, // no heartbeat (and its own script) during the test
    });
    onCleanup(() => guard.close());
    for (const user of ['alice', 'bob', 'carol', 'dave']) await connectAs(server.url, { user });
    const before = await scriptCalls(observer);
    // The first lease loaded it (one EVAL after NOSCRIPT); the others went by EVALSHA.
    expect(before.eval).toBe(1);
    expect(before.evalsha).toBeGreaterThanOrEqual(4);

    await observer.script('FLUSH'); // a restarted or failed-over Redis has no scripts
    await connectAs(server.url, { user: 'alice' });
    await connectAs(server.url, { user: 'alice' });
    expect((await refusedAs(server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user', max: 3 },
    });
    expect((await scriptCalls(observer)).eval).toBe(2);
  });
});

describeRedis('connection-limit: places given back together (real Redis)', () => {
  /** How many times Redis ran each command so far. */
  async function calls(redis: Redis): Promise<(command: string) => number> {
    const stats = (await redis.info('commandstats')) as string;
    return (command) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  }

  /** A node on a Redis of its own (its counters are this test's alone), and an observer. */
  async function ownNode(releaseBatchMs?: number) {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const observer = await readyIoredis(own.url);
    const keyPrefix = 'portcullis:test:batch';
    const node = await limitedServer({
      redis: await readyIoredis(own.url),
      keyPrefix,
      maxPerUser: 1,
      clusterMaxPerUser: 1,
      leaseTtlMs: 120_000, // no heartbeat (and its own script) during the test
      ...(releaseBatchMs === undefined ? {} : { releaseBatchMs }),
    });
    onCleanup(() => node.guard.close());
    const places = async (user: string): Promise<number> =>
      observer.zcard(`${keyPrefix}:user:${user}`);
    return { ...node, observer, places };
  }

  it('sends the places of sockets that leave together in one command', async () => {
    const { server, observer, places } = await ownNode();
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const sockets = await Promise.all(users.map((user) => connectAs(server.url, { user })));
    const before = await calls(observer);
    for (const socket of sockets) socket.disconnect();
    const freed = async () => (await Promise.all(users.map(places))).every((n) => n === 0);
    expect(await pollUntil(freed, 5000)).toBe(true);
    const after = await calls(observer);
    // Redis counts the ZREMs a script runs too: twelve, each place given back once...
    expect(after('zrem') - before('zrem')).toBe(12);
    // ...in one or two batches (the disconnects may straddle a batch's end), not twelve.
    const scripts = after('evalsha') + after('eval') - before('evalsha') - before('eval');
    expect(scripts).toBeGreaterThanOrEqual(1);
    expect(scripts).toBeLessThanOrEqual(2);
  });

  it("never makes the node's own next handshake wait for the batch", async () => {
    // A batch far longer than a reconnection takes: only sending it early admits her.
    const { server, guard, places } = await ownNode(1000);
    const first = await connectAs(server.url, { user: 'alice' });
    first.disconnect();
    // The node has let go of her socket; its place waits in the batch.
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
    expect(await places('alice')).toBe(1);
    await connectAs(server.url, { user: 'alice' });
    expect(await places('alice')).toBe(1);
  });

  it('gives each place back on its own with releaseBatchMs: 0', async () => {
    const { server, observer, places } = await ownNode(0);
    const sockets = await Promise.all(
      ['a', 'b', 'c'].map((user) => connectAs(server.url, { user })),
    );
    const before = await calls(observer);
    for (const socket of sockets) socket.disconnect();
    const freed = async () =>
      (await Promise.all(['a', 'b', 'c'].map(places))).every((n) => n === 0);
    expect(await pollUntil(freed, 5000)).toBe(true);
    const after = await calls(observer);
    expect(after('zrem') - before('zrem')).toBe(3);
    expect(after('evalsha') + after('eval') - before('evalsha') - before('eval')).toBe(0);
  });
});

describeRedis('connection-limit: Redis outage', () => {
  it.each([
    ['deny', 'INTERNAL'],
    ['allow', undefined],
  ] as const)('applies onStoreError: %s while Redis is down', async (policy, code) => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    // No offline queue and no reconnection: with Redis gone, commands fail at once.
    const redis = new Redis(own.url, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    onCleanup(() => closeIoredis(redis));
    await new Promise((resolve) => redis.once('ready', resolve));
    const { server, guard, bus } = await limitedServer({
      redis,
      onStoreError: policy,
      storeTimeoutMs: 300,
    });
    onCleanup(() => guard.close());
    const warnings: unknown[] = [];
    bus.on((event) => {
      if (event.type === 'warning') warnings.push(event.detail);
    });
    await connectAs(server.url, { user: 'alice' });
    await own.stop();
    // Anonymous connections never need Redis.
    await connectAs(server.url, { ip: '10.0.0.1' });
    if (code === undefined) {
      await connectAs(server.url, { user: 'bob' });
      expect(warnings).toEqual([{ reason: 'store_unavailable', policy: 'allow' }]);
    } else {
      const error = await refusedAs(server.url, { user: 'bob' });
      expect(error.data).toEqual({
        code: 'INTERNAL',
        message: 'The server could not check this request.',
        retryable: true,
      });
    }
    // Nothing crashed: the node still serves its sockets.
    const alive = await connectAs(server.url, {});
    expect(await alive.timeout(5000).emitWithAck('ping')).toBe('pong');
  });
});

describeRedis('connection-limit: acquireEarly (real Redis)', () => {
  /** Polls the user's places in Redis until they are `expected`; fails with the last seen. */
  async function placesBecome(
    socketIdsInRedis: (user: string) => Promise<string[]>,
    user: string,
    expected: string[],
  ): Promise<void> {
    let seen: string[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      seen = await socketIdsInRedis(user);
      if (JSON.stringify(seen) === JSON.stringify(expected)) return;
      await delay(20);
    }
    expect(seen).toEqual(expected);
  }

  it('is undefined without redis: a local count has no round trip to overlap', () => {
    expect(connectionLimitGuard({ maxPerUser: 2 }).acquireEarly).toBeUndefined();
  });

  it('takes the Redis place before the checks between it and the guard', async () => {
    const seen: { socketId: string; places: string[] }[] = [];
    const nodes: { socketIdsInRedis?: (user: string) => Promise<string[]> } = {};
    const { a, socketIdsInRedis } = await twoNodes(
      { clusterMaxPerUser: 2 },
      {
        // A check that takes a while, as a per-user rate limit asking Redis does.
        between: (socket, next) => {
          void delay(100)
            .then(() => nodes.socketIdsInRedis?.('alice') ?? [])
            .then((places) => {
              seen.push({ socketId: socket.id, places });
              next();
            });
        },
      },
    );
    nodes.socketIdsInRedis = socketIdsInRedis;
    await connectAs(a.server.url, { user: 'alice' });
    // While the check ran, the newcomer's place was already taken.
    expect(seen).toHaveLength(1);
    expect(seen[0]?.places).toEqual([seen[0]?.socketId]);
    expect(a.guard.stats()).toMatchObject({ connections: 1, pending: 0, clusterEntries: 1 });
  });

  it('gives the place back when a later check refuses, whose refusal the client sees, and evicts nobody', async () => {
    const { a, b, socketIdsInRedis } = await twoNodes(
      { maxPerUser: 1, clusterMaxPerUser: 1, perUserPolicy: 'disconnect-oldest' },
      {
        between: (socket, next) => {
          const token = (socket.handshake.auth as { token?: string }).token;
          next(token === 'revoked' ? new Error('revoked') : undefined);
        },
      },
    );
    const oldest = await connectAs(a.server.url, { user: 'alice' });
    const oldestPlace = await socketIdsInRedis('alice');
    expect(oldestPlace).toHaveLength(1);
    // On node A the newcomer would replace the oldest; on node B the cluster cap is
    // full. Either way the check after acquireEarly decides first.
    for (const node of [a, b, a, b]) {
      const error = await refusedAs(node.server.url, { user: 'alice', token: 'revoked' });
      expect(error.message).toBe('revoked');
    }
    await waitUntil(
      () => a.guard.stats().pending === 0 && b.guard.stats().pending === 0,
      () => [a.guard.stats(), b.guard.stats()],
    );
    await placesBecome(socketIdsInRedis, 'alice', oldestPlace);
    expect(oldest.connected).toBe(true);
    expect(a.guard.stats()).toMatchObject({ connections: 1, clusterEntries: 1 });
    expect(b.guard.stats()).toMatchObject({ connections: 0, clusterEntries: 0 });
    // A newcomer that passes every check still makes room, as before.
    const told = new Promise<unknown>((resolve) => oldest.once('portcullis:disconnect', resolve));
    const newest = await connectAs(a.server.url, { user: 'alice' });
    expect(await told).toMatchObject({ code: 'CONNECTION_LIMIT' });
    await placesBecome(socketIdsInRedis, 'alice', [newest.id as string]);
  });
});
