import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  connectClient,
  createClient,
  delay,
  emitWithAck,
  expectConnectError,
  waitFor,
} from '@portcullis/testing';
import {
  connectionRateLimitGuard,
  recheckOnRecovery,
  rateLimitGuard,
} from '@portcullis/rate-limit';
import type { ConnectError } from '@portcullis/testing';
import { guardedServer, manualClock, testAuth } from './helpers';

/** Opens a client and reports how its handshake ended, closing it right after. */
function attempt(url: string, options: Parameters<typeof createClient>[1] = {}) {
  const socket = createClient(url, options);
  return new Promise<{ connected: true } | { connected: false; error: ConnectError }>((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve({ connected: true });
    });
    socket.once('connect_error', (error: ConnectError) => resolve({ connected: false, error }));
  });
}

describe('connectionRateLimitGuard', () => {
  it('limits 200 attempts from one IP within 2 s and says when to retry', async () => {
    const { server, events } = await guardedServer({
      handshake: [
        connectionRateLimitGuard({
          perIp: { points: 20, durationMs: 10_000, blockDurationMs: 30_000 },
        }),
      ],
    });
    const outcomes = [];
    for (let batch = 0; batch < 10; batch++) {
      outcomes.push(...(await Promise.all(Array.from({ length: 20 }, () => attempt(server.url)))));
    }
    const connected = outcomes.filter((outcome) => outcome.connected);
    const refused = outcomes.flatMap((outcome) => (outcome.connected ? [] : [outcome.error]));
    expect(connected).toHaveLength(20);
    expect(refused).toHaveLength(180);
    for (const error of refused) {
      expect(error.data).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect(error.data?.retryAfterMs).toBeGreaterThan(20_000);
      expect(error.data?.retryAfterMs).toBeLessThanOrEqual(30_000);
    }
    expect(events.filter((event) => event.type === 'handshake_refused')).toHaveLength(180);
  }, 30_000);

  it('keys IPv6 clients by their /64, so rotating addresses does not help', async () => {
    const { server } = await guardedServer({
      handshake: [connectionRateLimitGuard({ perIp: { points: 2, durationMs: 60_000 } })],
    });
    const from = (address: string) => ({ extraHeaders: { 'x-forwarded-for': address } });
    expect((await attempt(server.url, from('2001:db8:1:2::1'))).connected).toBe(true);
    expect((await attempt(server.url, from('2001:db8:1:2::99'))).connected).toBe(true);
    const third = await attempt(server.url, from('2001:db8:1:2:ffff::7'));
    expect(third).toMatchObject({ connected: false, error: { data: { code: 'RATE_LIMITED' } } });
    // Another /64 is another client.
    expect((await attempt(server.url, from('2001:db8:1:3::1'))).connected).toBe(true);
  });

  it('limits a signed-in user by user id, whatever token each attempt carries', async () => {
    const clock = manualClock();
    const { server } = await guardedServer({
      core: { now: clock.now },
      handshake: [
        testAuth,
        connectionRateLimitGuard({
          perIp: false,
          perUser: { points: 3, durationMs: 10_000, blockDurationMs: 60_000 },
        }),
      ],
    });
    const as = (userId: string, token: string) => ({ auth: { userId, token } });
    for (let index = 0; index < 3; index++) {
      expect((await attempt(server.url, as('ada', `token-${index}`))).connected).toBe(true);
    }
    const refused = await expectConnectError(server.url, as('ada', 'yet-another-token'));
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect((await attempt(server.url, as('bob', 'token-0'))).connected).toBe(true);
    // Blocked past the window: repeat offenders wait for the block to end.
    clock.advance(10_000);
    expect((await attempt(server.url, as('ada', 'x'))).connected).toBe(false);
    clock.advance(50_000);
    expect((await attempt(server.url, as('ada', 'x'))).connected).toBe(true);
  });

  it('in dry-run, lets every attempt in and reports the ones it would refuse', async () => {
    const { server, events } = await guardedServer({
      handshake: [
        connectionRateLimitGuard({ dryRun: true, perIp: { points: 2, durationMs: 60_000 } }),
      ],
    });
    for (let index = 0; index < 5; index++) {
      expect((await attempt(server.url)).connected).toBe(true);
    }
    const wouldRefuse = events.filter((event) => event.type === 'would_refuse');
    expect(wouldRefuse).toHaveLength(3);
    expect(wouldRefuse[0]).toMatchObject({
      code: 'RATE_LIMITED',
      guard: 'rate-limit',
      detail: { limit: 'ip' },
    });
    expect(events.some((event) => event.type === 'handshake_refused')).toBe(false);
  });

  it('rateLimitGuard splits the IP limit (before auth) from the user limit (after auth)', async () => {
    const limits = rateLimitGuard({
      connections: {
        perIp: { points: 4, durationMs: 60_000 },
        perUser: { points: 2, durationMs: 60_000 },
      },
      messages: false,
    });
    expect(limits.packetGuards).toHaveLength(0);
    const { server } = await guardedServer({
      handshake: [limits.connections, testAuth, limits.userConnections],
    });
    expect((await attempt(server.url, { auth: { userId: 'ada' } })).connected).toBe(true);
    expect((await attempt(server.url, { auth: { userId: 'ada' } })).connected).toBe(true);
    const user = await expectConnectError(server.url, { auth: { userId: 'ada' } });
    expect(user.data).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect((await attempt(server.url, { auth: { userId: 'bob' } })).connected).toBe(true);
    const ip = await expectConnectError(server.url, { auth: { userId: 'eve' } });
    expect(ip.data).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('re-checks sockets that come back through connection state recovery', async () => {
    const guard = connectionRateLimitGuard({ perIp: { points: 1, durationMs: 60_000 } });
    const { server } = await guardedServer({
      serverOptions: { connectionStateRecovery: { maxDisconnectionDuration: 10_000 } },
      handshake: [guard],
      extraSetup: (io) => recheckOnRecovery(io, guard),
    });
    const client = createClient(server.url, { reconnection: true, reconnectionDelay: 50 });
    await waitFor(client, 'connect');
    // Recovery needs an offset: the client must have received one broadcast.
    const news = waitFor(client, 'news');
    server.io.emit('news');
    await news;
    const farewell = waitFor(client, 'portcullis:disconnect', 10_000);
    // Drop the transport: the client reconnects through recovery, which skips io.use.
    client.io.engine.close();
    expect((await farewell)[0]).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it("holds a recovered socket's packets until a slow re-check answers: a refused one never reaches a handler", async () => {
    /** A limiter whose store takes 200 ms (under the 500 ms deadline) to answer. */
    class SlowLimiter extends RateLimiterMemory {
      override consume(...args: Parameters<RateLimiterMemory['consume']>) {
        return delay(200).then(() => super.consume(...args));
      }
    }
    const guard = connectionRateLimitGuard({ perIp: new SlowLimiter({ points: 1, duration: 60 }) });
    const { server, handled } = await guardedServer({
      serverOptions: { connectionStateRecovery: { maxDisconnectionDuration: 10_000 } },
      handshake: [guard],
      extraSetup: (io) => recheckOnRecovery(io, guard),
    });
    const client = createClient(server.url, { reconnection: true, reconnectionDelay: 50 });
    await waitFor(client, 'connect');
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    const news = waitFor(client, 'news');
    server.io.emit('news');
    await news;
    // Sent the moment the recovered connection opens, while the re-check is still out.
    client.on('connect', () => {
      if (client.recovered) client.emit('chat:send', 'early');
    });
    const farewell = waitFor(client, 'portcullis:disconnect', 10_000);
    client.io.engine.close();
    expect((await farewell)[0]).toMatchObject({ code: 'RATE_LIMITED' });
    expect(handled.get('chat:send')).toBe(1);
  });
});

it('lets a connection through once its IP window has passed', async () => {
  const clock = manualClock();
  const { server } = await guardedServer({
    core: { now: clock.now },
    handshake: [connectionRateLimitGuard({ perIp: { points: 1, durationMs: 5000 } })],
  });
  await connectClient(server.url);
  expect((await attempt(server.url)).connected).toBe(false);
  clock.advance(5000);
  expect((await attempt(server.url)).connected).toBe(true);
});
