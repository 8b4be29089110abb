import { GuardError, type PacketGuard } from '@portcullis/core';
import { connectClient, emitWithAck, expectSilence, waitFor } from '@portcullis/testing';
import { errorRateLimitGuard, rateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer } from './helpers';

/** Another guard of the chain: refuses the `forbidden` event. */
const forbidGuard: PacketGuard = {
  guardName: 'forbid',
  check: (_socket, [event]) => (event === 'forbidden' ? new GuardError('FORBIDDEN') : undefined),
};

describe('errorRateLimitGuard', () => {
  it('disconnects a socket refused N times by any guard within the window', async () => {
    const { server, events } = await guardedServer({
      packetGuards: [forbidGuard, errorRateLimitGuard({ refusals: 5, windowMs: 60_000 })],
    });
    const prober = await connectClient(server.url);
    const honest = await connectClient(server.url);
    const farewell = waitFor(prober, 'portcullis:disconnect');
    for (let index = 0; index < 4; index++) {
      expect(await emitWithAck(prober, 'forbidden')).toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    }
    expect(prober.connected).toBe(true);
    expect(await emitWithAck(prober, 'chat:send')).toEqual({ ok: true });
    expect(await emitWithAck(prober, 'forbidden')).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await farewell)[0]).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect(events.filter((event) => event.type === 'forced_disconnect')).toEqual([
      expect.objectContaining({ code: 'RATE_LIMITED', guard: 'error-rate-limit' }),
    ]);
    // One refusal is not a pattern: the honest client stays.
    expect(await emitWithAck(honest, 'forbidden')).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(honest.connected).toBe(true);
  });

  it('forgets refusals once their window has passed', async () => {
    let now = 1_000_000;
    const { server } = await guardedServer({
      packetGuards: [
        forbidGuard,
        errorRateLimitGuard({ refusals: 3, windowMs: 1000, now: () => now }),
      ],
    });
    const client = await connectClient(server.url);
    const silence = expectSilence(client, 'portcullis:disconnect', 500);
    for (let round = 0; round < 3; round++) {
      await emitWithAck(client, 'forbidden');
      await emitWithAck(client, 'forbidden');
      now += 1000;
    }
    await silence;
    expect(client.connected).toBe(true);
  });

  it('in dry-run, reports the disconnect it would have made', async () => {
    const { server, events } = await guardedServer({
      packetGuards: [forbidGuard, errorRateLimitGuard({ refusals: 2, dryRun: true })],
    });
    const client = await connectClient(server.url);
    for (let index = 0; index < 4; index++) await emitWithAck(client, 'forbidden');
    expect(client.connected).toBe(true);
    expect(events.filter((event) => event.type === 'would_refuse')).toEqual([
      expect.objectContaining({
        code: 'RATE_LIMITED',
        guard: 'error-rate-limit',
        detail: { action: 'disconnect', refusals: 2 },
      }),
    ]);
  });

  it('is part of rateLimitGuard by default and counts the rate limit’s own refusals', async () => {
    const limits = rateLimitGuard({
      messages: { perSocket: { points: 1, durationMs: 60_000 }, disconnectAfter: false },
      errors: { refusals: 3 },
    });
    expect(limits.packetGuards).toEqual([limits.messages, limits.errors]);
    const { server } = await guardedServer({ packetGuards: limits.packetGuards });
    const client = await connectClient(server.url);
    const farewell = waitFor(client, 'portcullis:disconnect');
    for (let index = 0; index < 4; index++) client.emit('chat:send');
    expect((await farewell)[0]).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('checks its options once', () => {
    expect(() => errorRateLimitGuard({ refusals: 0 })).toThrow(
      /refusals must be a positive integer/,
    );
    expect(() => errorRateLimitGuard({ windowMs: 1.5 })).toThrow(
      /windowMs must be a positive integer/,
    );
  });
});
