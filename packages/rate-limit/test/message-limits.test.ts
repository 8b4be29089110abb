import { GuardError, isGuardError, type AnySocket } from '@portcullis/core';
import { connectClient, delay, emitWithAck, waitFor } from '@portcullis/testing';
import { messageRateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer, isErrorReply, manualClock, testAuth, type ErrorReply } from './helpers';

function firstServerSocket(io: {
  of(name: string): { sockets: Map<string, AnySocket> };
}): AnySocket {
  const socket = io.of('/').sockets.values().next().value;
  if (socket === undefined) throw new Error('no socket connected');
  return socket;
}

describe('messageRateLimitGuard', () => {
  it('limits a client flooding 5,000 messages while an honest client keeps getting acks', async () => {
    const { server, handled, events } = await guardedServer({
      packetGuards: [messageRateLimitGuard()],
    });
    const flooder = await connectClient(server.url);
    const honest = await connectClient(server.url);
    const refusals: unknown[] = [];
    flooder.on('portcullis:error', (payload: unknown) => refusals.push(payload));
    const cut = waitFor(flooder, 'portcullis:disconnect', 15_000);

    for (let index = 0; index < 5000; index++) flooder.emit('chat:send', { index });
    const replies: unknown[] = [];
    for (let index = 0; index < 10; index++) {
      replies.push(await emitWithAck(honest, 'chat:send', { index }));
      await delay(30);
    }

    expect(replies).toEqual(new Array(10).fill({ ok: true }));
    const [farewell] = await cut;
    // Cut by core's escalation (50 refusals within 10 s by default), not by this guard.
    expect(farewell).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'Too many refused messages.',
      retryable: true,
    });
    expect(refusals[0]).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      event: 'chat:send',
      info: { limit: 'socket' },
    });
    expect((refusals[0] as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    // The default is 30 per second per socket: a few windows at most, not 5,000.
    expect(handled.get('chat:send') ?? 0).toBeLessThan(200);
    expect(events.filter((event) => event.type === 'forced_disconnect')).toEqual([
      expect.objectContaining({ code: 'RATE_LIMITED', guard: 'escalation' }),
    ]);
    expect(honest.connected).toBe(true);
    expect(await emitWithAck(honest, 'chat:send', 'still here')).toEqual({ ok: true });
  });

  it('answers synchronously with the in-memory store: no Promise per packet', async () => {
    const guard = messageRateLimitGuard({ perSocket: { points: 2, durationMs: 60_000 } });
    const { server } = await guardedServer({ packetGuards: [guard] });
    await connectClient(server.url);
    const socket = firstServerSocket(server.io);
    expect(guard.check(socket, ['chat:send'])).toBeUndefined();
    expect(guard.check(socket, ['chat:send'])).toBeUndefined();
    const refusal = guard.check(socket, ['chat:send']);
    expect(isGuardError(refusal)).toBe(true);
    expect((refusal as GuardError).code).toBe('RATE_LIMITED');
    expect((refusal as GuardError).retryAfterMs).toBeGreaterThan(0);
  });

  it('charges each event its cost and lets traffic through again when the window ends', async () => {
    const clock = manualClock();
    const { server, handled } = await guardedServer({
      core: { now: clock.now },
      packetGuards: [
        messageRateLimitGuard({
          perSocket: { points: 20, durationMs: 10_000 },
          costs: { 'file:upload': 10 },
        }),
      ],
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'file:upload')).toEqual({ ok: true });
    expect(await emitWithAck(client, 'file:upload')).toEqual({ ok: true });
    const refused = (await emitWithAck(client, 'file:upload')) as ErrorReply;
    expect(refused.error).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 10_000,
      info: { limit: 'socket' },
    });
    // The budget is shared: a cheap event is refused too until the window ends.
    expect(isErrorReply(await emitWithAck(client, 'chat:send'))).toBe(true);
    clock.advance(10_000);
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    expect(handled.get('file:upload')).toBe(2);
  });

  it('blocks a socket for blockDurationMs once it goes over', async () => {
    const clock = manualClock();
    const { server } = await guardedServer({
      core: { now: clock.now },
      packetGuards: [
        messageRateLimitGuard({
          perSocket: { points: 3, durationMs: 1000, blockDurationMs: 30_000 },
        }),
      ],
    });
    const client = await connectClient(server.url);
    for (let index = 0; index < 3; index++) {
      expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    }
    const first = (await emitWithAck(client, 'chat:send')) as ErrorReply;
    expect(first.error.retryAfterMs).toBe(30_000);
    clock.advance(1000);
    const later = (await emitWithAck(client, 'chat:send')) as ErrorReply;
    expect(later.error.retryAfterMs).toBe(29_000);
    clock.advance(29_000);
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
  });

  it('limits one event on its own, per socket when anonymous and per user when signed in', async () => {
    const { server } = await guardedServer({
      handshake: [testAuth],
      packetGuards: [
        messageRateLimitGuard({ perEvent: { 'file:upload': { points: 2, durationMs: 60_000 } } }),
      ],
    });
    const anonymous = await connectClient(server.url);
    expect(await emitWithAck(anonymous, 'file:upload')).toEqual({ ok: true });
    expect(await emitWithAck(anonymous, 'file:upload')).toEqual({ ok: true });
    expect(await emitWithAck(anonymous, 'file:upload')).toMatchObject({
      error: { code: 'RATE_LIMITED', info: { limit: 'event' } },
    });
    expect(await emitWithAck(anonymous, 'chat:send')).toEqual({ ok: true });

    const tab1 = await connectClient(server.url, { auth: { userId: 'ada' } });
    const tab2 = await connectClient(server.url, { auth: { userId: 'ada' } });
    expect(await emitWithAck(tab1, 'file:upload')).toEqual({ ok: true });
    expect(await emitWithAck(tab2, 'file:upload')).toEqual({ ok: true });
    expect(await emitWithAck(tab2, 'file:upload')).toMatchObject({
      error: { code: 'RATE_LIMITED', info: { limit: 'event' } },
    });
  });

  it("limits a user across all of that user's sockets, and no one else", async () => {
    const { server } = await guardedServer({
      handshake: [testAuth],
      packetGuards: [messageRateLimitGuard({ perUser: { points: 5, durationMs: 60_000 } })],
    });
    const tab1 = await connectClient(server.url, { auth: { userId: 'ada' } });
    const tab2 = await connectClient(server.url, { auth: { userId: 'ada' } });
    const other = await connectClient(server.url, { auth: { userId: 'bob' } });
    for (let index = 0; index < 3; index++) {
      expect(await emitWithAck(tab1, 'chat:send')).toEqual({ ok: true });
    }
    expect(await emitWithAck(tab2, 'chat:send')).toEqual({ ok: true });
    expect(await emitWithAck(tab2, 'chat:send')).toEqual({ ok: true });
    expect(await emitWithAck(tab2, 'chat:send')).toMatchObject({
      error: { code: 'RATE_LIMITED', info: { limit: 'user' } },
    });
    expect(await emitWithAck(other, 'chat:send')).toEqual({ ok: true });
  });

  it('holds a global ceiling over every socket of the process', async () => {
    const { server } = await guardedServer({
      packetGuards: [messageRateLimitGuard({ global: { points: 4, durationMs: 60_000 } })],
    });
    const first = await connectClient(server.url);
    const second = await connectClient(server.url);
    for (const client of [first, second, first, second]) {
      expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    }
    expect(await emitWithAck(first, 'chat:send')).toMatchObject({
      error: { code: 'RATE_LIMITED', info: { limit: 'global' } },
    });
  });

  it('answers a refused packet without an ack on portcullis:error', async () => {
    const { server } = await guardedServer({
      packetGuards: [messageRateLimitGuard({ perSocket: { points: 1, durationMs: 60_000 } })],
    });
    const client = await connectClient(server.url);
    client.emit('typing');
    const refused = waitFor(client, 'portcullis:error');
    client.emit('typing');
    expect((await refused)[0]).toMatchObject({ code: 'RATE_LIMITED', event: 'typing' });
  });

  it('in dry-run, refuses nothing and reports what it would have refused', async () => {
    const { server, handled, events } = await guardedServer({
      packetGuards: [
        messageRateLimitGuard({
          dryRun: true,
          perSocket: { points: 2, durationMs: 60_000 },
        }),
      ],
      // A dry run refuses nothing, so escalation has nothing to weigh.
      core: { escalation: { disconnectAfter: { refusals: 2, withinMs: 60_000 } } },
    });
    const client = await connectClient(server.url);
    for (let index = 0; index < 6; index++) {
      expect(await emitWithAck(client, 'chat:send', 'body')).toEqual({ ok: true });
    }
    expect(handled.get('chat:send')).toBe(6);
    expect(client.connected).toBe(true);
    const wouldRefuse = events.filter((event) => event.type === 'would_refuse');
    expect(wouldRefuse).toHaveLength(4);
    expect(wouldRefuse.every((event) => event.detail?.limit === 'socket')).toBe(true);
    expect(events.some((event) => event.type === 'forced_disconnect')).toBe(false);
    expect(wouldRefuse[0]).toMatchObject({
      code: 'RATE_LIMITED',
      event: 'chat:send',
      guard: 'rate-limit',
    });
    expect(events.some((event) => event.type === 'packet_refused')).toBe(false);
    expect(JSON.stringify(events)).not.toContain('body');
  });
});
