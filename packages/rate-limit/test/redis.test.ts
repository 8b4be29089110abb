import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import {
  closeIoredis,
  connectClient,
  delay,
  describeRedis,
  emitWithAck,
  expectConnectError,
  onCleanup,
  startOwnRedis,
  testRedisUrl,
  type ClientSocket,
} from '@portcullis/testing';
import {
  connectionRateLimitGuard,
  messageRateLimitGuard,
  rateLimitGuard,
  type RateLimitStoreOptions,
} from '@portcullis/rate-limit';
import { guardedServer, scriptCalls, testAuth, type ErrorReply } from './helpers';

/** Keys of this run only, so runs and parallel suites never share counts. */
function uniquePrefix(): string {
  return `portcullis:test:rl:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
}

async function ioredis(url: string): Promise<Redis> {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100,
    // ioredis waits this long after a failed connection before letting the process exit.
    disconnectTimeout: 50,
  });
  client.on('error', () => undefined);
  onCleanup(() => closeIoredis(client));
  // Until the client is ready, the limiter counts in its in-memory insurance.
  await until(() => client.status === 'ready');
  return client;
}

async function nodeRedis(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: () => 100 } });
  client.on('error', () => undefined);
  await client.connect();
  onCleanup(async () => {
    if (client.isOpen) await client.quit();
  });
  return client;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await delay(50);
  }
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

describeRedis('rate limits in Redis', () => {
  it('holds a per-user limit across two Socket.io servers (ioredis on one, node-redis on the other)', async () => {
    const url = testRedisUrl();
    const keyPrefix = uniquePrefix();
    const perUser = { points: 6, durationMs: 60_000 };
    const pub = await ioredis(url);
    const sub = pub.duplicate();
    sub.on('error', () => undefined);
    onCleanup(() => closeIoredis(sub));
    await until(() => sub.status === 'ready');
    const adapter = createAdapter(pub, sub);
    const first = await guardedServer({
      handshake: [testAuth],
      packetGuards: [messageRateLimitGuard({ redis: await ioredis(url), keyPrefix, perUser })],
      extraSetup: (io) => io.adapter(adapter),
    });
    const second = await guardedServer({
      handshake: [testAuth],
      packetGuards: [messageRateLimitGuard({ redis: await nodeRedis(url), keyPrefix, perUser })],
      extraSetup: (io) => io.adapter(adapter),
    });
    const onFirst = await connectClient(first.server.url, { auth: { userId: 'ada' } });
    const onSecond = await connectClient(second.server.url, { auth: { userId: 'ada' } });
    const other = await connectClient(second.server.url, { auth: { userId: 'bob' } });
    for (let index = 0; index < 3; index++) {
      expect(await emitWithAck(onFirst, 'chat:send')).toEqual({ ok: true });
      expect(await emitWithAck(onSecond, 'chat:send')).toEqual({ ok: true });
    }
    for (const client of [onFirst, onSecond]) {
      const refused = (await emitWithAck(client, 'chat:send')) as ErrorReply;
      expect(refused.error).toMatchObject({ code: 'RATE_LIMITED', info: { limit: 'user' } });
      expect(refused.error.retryAfterMs).toBeGreaterThan(0);
    }
    expect(await emitWithAck(other, 'chat:send')).toEqual({ ok: true });
    // The node whose take emptied Redis refuses without asking; the other asks once.
    expect(await pub.get(`${keyPrefix}:user:0:{ada}`)).toBe('7');
  });

  it('leases: a user flooding through two servers gets the limit and no more, in few Redis calls', async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const keyPrefix = uniquePrefix();
    // 60 per minute: leases of 15 (a quarter) taken by each server from the shared Redis.
    const perUser = { points: 60, durationMs: 60_000 };
    const servers = await Promise.all(
      [await ioredis(own.url), await nodeRedis(own.url)].map((redis) =>
        guardedServer({
          handshake: [testAuth],
          packetGuards: [messageRateLimitGuard({ redis, keyPrefix, perUser, perSocket: false })],
        }),
      ),
    );
    const inspect = await ioredis(own.url);
    const scriptsBefore = await scriptCalls(inspect);
    const clients = await Promise.all(
      servers.map((guarded) => connectClient(guarded.server.url, { auth: { userId: 'ada' } })),
    );
    let accepted = 0;
    for (let index = 0; index < 100; index++) {
      const reply = await emitWithAck(
        clients[index % 3 === 0 ? 1 : 0] as ClientSocket,
        'chat:send',
      );
      if ((reply as { ok?: boolean }).ok === true) accepted++;
    }
    // Redis grants what it holds: never past the limit. Here no point is left unused:
    // four takes of 15 (the fourth emptied Redis, so that server then refuses without
    // asking), and the other server's next take is refused.
    expect(accepted).toBe(60);
    // 100 packets, five script calls (plus, at most, one the script cache costs).
    expect((await scriptCalls(inspect)) - scriptsBefore).toBeLessThanOrEqual(8);
  });

  it("gives a lease back to Redis when the user's last socket on a server leaves", async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const keyPrefix = uniquePrefix();
    const perUser = { points: 60, durationMs: 60_000 };
    const serverWith = async (redis: RateLimitStoreOptions['redis']) =>
      guardedServer({
        handshake: [testAuth],
        packetGuards: [messageRateLimitGuard({ redis, keyPrefix, perUser, perSocket: false })],
      });
    const first = await serverWith(await ioredis(own.url));
    const second = await serverWith(await nodeRedis(own.url));
    const inspect = await ioredis(own.url);
    const key = `${keyPrefix}:user:0:{ada}`;
    const tabs = [
      await connectClient(first.server.url, { auth: { userId: 'ada' } }),
      await connectClient(first.server.url, { auth: { userId: 'ada' } }),
    ];
    for (const tab of tabs) {
      for (let index = 0; index < 2; index++) {
        expect(await emitWithAck(tab, 'chat:send')).toEqual({ ok: true });
      }
    }
    expect(await inspect.get(key)).toBe('15'); // one lease of 15, 4 of it spent
    tabs[0]?.disconnect();
    await delay(200);
    expect(await inspect.get(key)).toBe('15'); // another tab of hers is still here
    tabs[1]?.disconnect();
    const end = Date.now() + 5000;
    while ((await inspect.get(key)) !== '4' && Date.now() < end) await delay(50);
    expect(await inspect.get(key)).toBe('4');
    // The 56 points left are hers on the other server.
    const elsewhere = await connectClient(second.server.url, { auth: { userId: 'ada' } });
    let accepted = 0;
    for (let index = 0; index < 60; index++) {
      const reply = (await emitWithAck(elsewhere, 'chat:send')) as { ok?: boolean };
      if (reply.ok === true) accepted++;
    }
    expect(accepted).toBe(56);
  });

  it('holds per-IP connection limits across servers and blocks repeat offenders', async () => {
    const url = testRedisUrl();
    const keyPrefix = uniquePrefix();
    const perIp = { points: 3, durationMs: 10_000, blockDurationMs: 60_000 };
    const first = await guardedServer({
      handshake: [connectionRateLimitGuard({ redis: await ioredis(url), keyPrefix, perIp })],
    });
    const second = await guardedServer({
      handshake: [connectionRateLimitGuard({ redis: await nodeRedis(url), keyPrefix, perIp })],
    });
    await connectClient(first.server.url);
    await connectClient(second.server.url);
    await connectClient(first.server.url);
    const refused = await expectConnectError(second.server.url);
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(refused.data?.retryAfterMs).toBeGreaterThan(50_000);
    const again = await expectConnectError(first.server.url);
    expect(again.data).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refuses sub-second windows for Redis at set-up', () => {
    const client = new Redis({ lazyConnect: true });
    try {
      expect(() =>
        messageRateLimitGuard({ redis: client, perUser: { points: 5, durationMs: 1500 } }),
      ).toThrow(/whole seconds/);
      // Per-socket counters stay in memory, so any window is fine there.
      expect(() =>
        messageRateLimitGuard({ redis: client, perSocket: { points: 5, durationMs: 250 } }),
      ).not.toThrow();
    } finally {
      client.disconnect();
    }
  });
});

type Phase = 'up' | 'down' | 'back';

describeRedis('Redis stopped mid-test', () => {
  const cases: [string, RateLimitStoreOptions, (phase: Phase) => 'limits' | 'allows' | 'denies'][] =
    [
      ['the in-memory insurance (default)', {}, () => 'limits'],
      [
        "onStoreError: 'allow' without insurance",
        { insurance: false, onStoreError: 'allow' },
        (p) => (p === 'down' ? 'allows' : 'limits'),
      ],
      [
        "onStoreError: 'deny' without insurance",
        { insurance: false, onStoreError: 'deny' },
        (p) => (p === 'down' ? 'denies' : 'limits'),
      ],
    ];

  it.each(cases)(
    'keeps serving under %s and limits again once Redis is back',
    async (_name, policy, expected) => {
      const own = await startOwnRedis();
      onCleanup(() => own.stop());
      const redis = await ioredis(own.url);
      const keyPrefix = uniquePrefix();
      const { server, events } = await guardedServer({
        handshake: [
          // Exact counting: with a lease held, an outage shows only once it is spent.
          connectionRateLimitGuard({
            ...policy,
            redis,
            keyPrefix,
            lease: false,
            perIp: { points: 100, durationMs: 60_000 },
          }),
          testAuth,
        ],
        packetGuards: [
          messageRateLimitGuard({
            ...policy,
            redis,
            keyPrefix,
            perUser: { points: 3, durationMs: 60_000 },
          }),
        ],
      });
      const clients = {
        up: await connectClient(server.url, { auth: { userId: 'ada' } }),
        down: await connectClient(server.url, { auth: { userId: 'bob' } }),
        back: await connectClient(server.url, { auth: { userId: 'cy' } }),
      };

      const run = async (phase: Phase) => {
        const replies = [];
        for (let index = 0; index < 4; index++)
          replies.push(await emitWithAck(clients[phase], 'chat:send'));
        switch (expected(phase)) {
          case 'limits':
            expect(replies.slice(0, 3)).toEqual(new Array(3).fill({ ok: true }));
            expect(replies[3]).toMatchObject({
              error: { code: 'RATE_LIMITED', info: { limit: 'user' } },
            });
            break;
          case 'allows':
            expect(replies).toEqual(new Array(4).fill({ ok: true }));
            break;
          case 'denies':
            for (const reply of replies)
              expect(reply).toMatchObject({ error: { code: 'INTERNAL' } });
        }
      };

      await run('up');
      await own.stop();
      await until(() => redis.status !== 'ready');
      await run('down');
      const attempt =
        expected('down') === 'denies' ? await expectConnectError(server.url) : undefined;
      if (attempt !== undefined)
        expect(attempt.data).toMatchObject({ code: 'INTERNAL', retryable: true });
      else expect((await connectClient(server.url)).connected).toBe(true);
      const warned = events.some(
        (event) => event.type === 'warning' && event.detail?.reason === 'store_unavailable',
      );
      expect(warned).toBe(policy.insurance === false);

      await own.start();
      await until(() => redis.status === 'ready');
      await run('back');
      // Counted in Redis again, not in the insurance (the take that emptied Redis makes
      // the fourth a refusal without asking again).
      expect(await redis.get(`${keyPrefix}:user:0:{cy}`)).toBe('3');
    },
    40_000,
  );
});

describeRedis('Redis stopped under traffic', () => {
  it("keeps a socket through an outage under onStoreError: 'deny': a store failure is not the client's refusal", async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const redis = await ioredis(own.url);
    const limits = rateLimitGuard({
      redis,
      keyPrefix: uniquePrefix(),
      insurance: false,
      onStoreError: 'deny',
      // Exact counting: with a lease held, an outage shows only once it is spent.
      lease: false,
      connections: false,
      messages: { perSocket: false },
    });
    const { server } = await guardedServer({
      core: { escalation: { disconnectAfter: { refusals: 5, withinMs: 60_000 } } },
      handshake: [testAuth],
      packetGuards: limits.packetGuards,
    });
    const client = await connectClient(server.url, { auth: { userId: 'ada' } });
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    await own.stop();
    await until(() => redis.status !== 'ready');
    // Five times more store failures than escalation cuts at: INTERNAL weighs nothing.
    for (let index = 0; index < 25; index++) {
      expect(await emitWithAck(client, 'chat:send')).toMatchObject({ error: { code: 'INTERNAL' } });
    }
    await delay(100);
    expect(client.connected).toBe(true);
    await own.start();
    await until(() => redis.status === 'ready');
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
  }, 30_000);

  it('answers every packet in flight while Redis goes down, and never with RATE_LIMITED', async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const redis = await ioredis(own.url);
    const { server } = await guardedServer({
      handshake: [testAuth],
      packetGuards: [
        messageRateLimitGuard({
          redis,
          keyPrefix: uniquePrefix(),
          insurance: false,
          onStoreError: 'deny',
          lease: false,
          perSocket: false,
          perUser: { points: 1000, durationMs: 60_000 },
        }),
      ],
    });
    const client = await connectClient(server.url, { auth: { userId: 'ada' } });
    const replies: Promise<unknown>[] = [];
    for (let index = 0; index < 40; index++) {
      replies.push(emitWithAck(client, 'chat:send', index));
      if (index === 20) void own.stop();
      await delay(10);
    }
    const answers = await Promise.all(replies);
    const codes = new Set(
      answers.map((answer) => (answer as { error?: { code: string } }).error?.code ?? 'ok'),
    );
    expect([...codes].filter((code) => code !== 'ok' && code !== 'INTERNAL')).toEqual([]);
    expect(codes.has('ok')).toBe(true);
    expect(codes.has('INTERNAL')).toBe(true);
    expect(client.connected).toBe(true);
  }, 30_000);
});
