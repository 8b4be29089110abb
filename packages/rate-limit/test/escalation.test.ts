import { GuardError, type PacketGuard } from '@portcullis/core';
import { connectClient, emitWithAck, expectSilence, waitFor } from '@portcullis/testing';
import { messageRateLimitGuard, rateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer } from './helpers';

/** Another guard of the chain: refuses the `forbidden` event. */
const forbidGuard: PacketGuard = {
  guardName: 'forbid',
  check: (_socket, [event]) => (event === 'forbidden' ? new GuardError('FORBIDDEN') : undefined),
};

/** Cuts are core's escalation's decision; the rate limit only refuses. */
describe('rate-limit refusals and core escalation', () => {
  it("rateLimitGuard's packet guards are the message limit alone", () => {
    const limits = rateLimitGuard();
    expect(limits.packetGuards).toEqual([limits.messages]);
    expect(rateLimitGuard({ messages: false }).packetGuards).toEqual([]);
  });

  it("weighs the rate limit's refusals with every other guard's, and cuts as 'escalation'", async () => {
    const { server, events } = await guardedServer({
      core: { escalation: { disconnectAfter: { refusals: 4, withinMs: 60_000 } } },
      packetGuards: [
        forbidGuard,
        messageRateLimitGuard({ perSocket: { points: 2, durationMs: 60_000 } }),
      ],
    });
    const client = await connectClient(server.url);
    const farewell = waitFor(client, 'portcullis:disconnect');
    expect(await emitWithAck(client, 'forbidden')).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    expect(await emitWithAck(client, 'chat:send')).toEqual({ ok: true });
    // FORBIDDEN weighs 2, each RATE_LIMITED 1: the second one reaches 4.
    expect(await emitWithAck(client, 'chat:send')).toMatchObject({
      error: { code: 'RATE_LIMITED', info: { limit: 'socket' } },
    });
    expect(client.connected).toBe(true);
    expect(await emitWithAck(client, 'chat:send')).toMatchObject({
      error: { code: 'RATE_LIMITED' },
    });
    expect((await farewell)[0]).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'Too many refused messages.',
    });
    expect(events.filter((event) => event.type === 'forced_disconnect')).toEqual([
      expect.objectContaining({ code: 'RATE_LIMITED', guard: 'escalation' }),
    ]);
  });

  it('never cuts a socket by itself: with escalation off, a flood is refused, not disconnected', async () => {
    const { server, handled } = await guardedServer({
      core: { escalation: { disconnectAfter: false } },
      packetGuards: [messageRateLimitGuard({ perSocket: { points: 1, durationMs: 60_000 } })],
    });
    const client = await connectClient(server.url);
    const silence = expectSilence(client, 'portcullis:disconnect', 300);
    // Well past the 50 refusals the guard used to cut at on its own.
    for (let index = 0; index < 120; index++) client.emit('chat:send');
    expect(await emitWithAck(client, 'chat:send')).toMatchObject({
      error: { code: 'RATE_LIMITED' },
    });
    await silence;
    expect(client.connected).toBe(true);
    expect(handled.get('chat:send')).toBe(1);
  });
});
