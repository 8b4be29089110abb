import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { AnySocket } from '@portcullis/core';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  freePort,
  onCleanup,
} from '@portcullis/testing';
import { connectionRateLimitGuard, messageRateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer, testAuth, type ErrorReply } from './helpers';

/** A real ioredis client aimed at a port where nothing listens. */
async function deadRedis(options: { offlineQueue: boolean }): Promise<Redis> {
  const client = new Redis(await freePort(), '127.0.0.1', {
    enableOfflineQueue: options.offlineQueue,
    // Without the offline queue, fail at once; with it, keep commands waiting forever.
    maxRetriesPerRequest: options.offlineQueue ? null : 0,
    retryStrategy: () => 200,
    lazyConnect: !options.offlineQueue,
    // ioredis waits this long after a failed connection before letting the process exit.
    disconnectTimeout: 50,
  });
  client.on('error', () => undefined);
  onCleanup(() => client.disconnect());
  return client;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

describe('limiters the user built', () => {
  it('uses a rate-limiter-flexible limiter as it is, through the asynchronous path', async () => {
    const limiter = new RateLimiterMemory({ points: 2, duration: 60, keyPrefix: 'app-users' });
    const guard = messageRateLimitGuard({ perUser: limiter });
    const { server } = await guardedServer({ handshake: [testAuth], packetGuards: [guard] });
    const client = await connectClient(server.url, { auth: { userId: 'ada' } });
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    const refused = (await emitWithAck(client, 'chat:send')) as ErrorReply;
    expect(refused.error).toMatchObject({ code: 'RATE_LIMITED', info: { limit: 'user' } });
    expect(refused.error.retryAfterMs).toBeGreaterThan(50_000);
    expect((await limiter.get('ada'))?.consumedPoints).toBe(3);
    const socket = server.io.of('/').sockets.values().next().value as AnySocket;
    expect(guard.check(socket, ['chat:send'])).toBeInstanceOf(Promise);
  });

  it.each(['allow', 'deny'] as const)(
    "never turns a store failure into RATE_LIMITED (onStoreError: '%s')",
    async (policy) => {
      const failing = new RateLimiterRedis({
        storeClient: await deadRedis({ offlineQueue: false }),
        points: 1,
        duration: 60,
      });
      const { server, events, handled } = await guardedServer({
        handshake: [testAuth],
        packetGuards: [messageRateLimitGuard({ perUser: failing, onStoreError: policy })],
      });
      const client = await connectClient(server.url, { auth: { userId: 'ada' } });
      const replies = [];
      for (let index = 0; index < 5; index++) replies.push(await emitWithAck(client, 'chat:send'));
      if (policy === 'allow') {
        expect(replies).toEqual(new Array(5).fill({ ok: true }));
        expect(handled.get('chat:send')).toBe(5);
      } else {
        for (const reply of replies) {
          expect(reply).toEqual({
            error: {
              code: 'INTERNAL',
              message: 'The server could not check this request.',
              retryable: true,
            },
          });
        }
        expect(handled.get('chat:send')).toBeUndefined();
      }
      // One warning, not one per packet; and never a word about limits being hit.
      const warnings = events.filter((event) => event.type === 'warning');
      expect(warnings).toEqual([
        expect.objectContaining({
          guard: 'rate-limit',
          detail: expect.objectContaining({ reason: 'store_unavailable', policy }),
        }),
      ]);
      expect(JSON.stringify(replies)).not.toContain('RATE_LIMITED');
    },
  );

  it('does not hold a packet longer than storeTimeoutMs when the store hangs', async () => {
    const hanging = new RateLimiterRedis({
      storeClient: await deadRedis({ offlineQueue: true }),
      points: 5,
      duration: 60,
    });
    const { server } = await guardedServer({
      handshake: [testAuth],
      packetGuards: [messageRateLimitGuard({ perUser: hanging, storeTimeoutMs: 200 })],
    });
    const client = await connectClient(server.url, { auth: { userId: 'ada' } });
    expect(await emitWithAck(client, 'chat:send')).toMatchObject({ error: { code: 'INTERNAL' } });
  });

  it('applies the store policy to connection attempts too', async () => {
    const failing = new RateLimiterRedis({
      storeClient: await deadRedis({ offlineQueue: false }),
      points: 5,
      duration: 60,
    });
    const closed = await guardedServer({
      handshake: [connectionRateLimitGuard({ perIp: failing })],
    });
    const refused = await expectConnectError(closed.server.url);
    expect(refused.data).toMatchObject({ code: 'INTERNAL', retryable: true });
    const open = await guardedServer({
      handshake: [connectionRateLimitGuard({ perIp: failing, onStoreError: 'allow' })],
    });
    expect((await connectClient(open.server.url)).connected).toBe(true);
  });
});
