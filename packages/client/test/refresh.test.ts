import { emitWithAck, waitFor } from '@portcullis/testing';
import { guardClient, jwtExpiresAt, type GuardErrorInfo, type RefreshResult } from '../src';
import { browserLikeClient, eventually, guardedServer, token } from './helpers';

/** Waits until the wall clock is past `at` (epoch ms). */
async function until(at: number): Promise<void> {
  await eventually(() => Date.now() > at, 10_000, `the clock to pass ${at}`);
}

describe('guardClient token refresh', () => {
  it('answers portcullis:expiring and keeps the socket past the original expiry', async () => {
    const { server } = await guardedServer({ sessionExpiry: { warnBeforeMs: 2_500 } });
    const original = await token('alice', { expiresInS: 3, sid: 'tab-1' });
    const originalExpiry = jwtExpiresAt(original) as number;
    const socket = browserLikeClient(server.url, { auth: { token: original } });
    let connects = 0;
    let disconnects = 0;
    socket.on('connect', () => connects++);
    socket.on('disconnect', () => disconnects++);
    const refreshes: RefreshResult[] = [];
    const fresh = await token('alice', { sid: 'tab-1' });
    guardClient(socket, { getToken: () => fresh, onRefresh: (result) => refreshes.push(result) });
    await waitFor(socket, 'connect');
    const id = socket.id;

    await until(originalExpiry + 1_000);
    expect(refreshes).toEqual([{ ok: true, expiresAt: jwtExpiresAt(fresh), sent: true }]);
    expect(socket.connected).toBe(true);
    expect(socket.id).toBe(id);
    expect([connects, disconnects]).toEqual([1, 0]);
    expect(socket.auth).toEqual({ token: fresh });
    // The server serves the same connection under the new expiry.
    expect(await emitWithAck(socket, 'chat:send', { text: 'still here' })).toEqual({ ok: true });
  });

  it('refreshes on its own timer with refreshBeforeMs when the server sends no warning', async () => {
    const { server } = await guardedServer({ sessionExpiry: { warnBeforeMs: false } });
    const original = await token('bob', { expiresInS: 3, sid: 'tab-2' });
    const socket = browserLikeClient(server.url, { auth: { token: original } });
    let disconnects = 0;
    socket.on('disconnect', () => disconnects++);
    const refreshes: RefreshResult[] = [];
    guardClient(socket, {
      getToken: () => token('bob', { sid: 'tab-2' }),
      refreshBeforeMs: 2_000,
      onRefresh: (result) => refreshes.push(result),
    });
    await waitFor(socket, 'connect');
    await until((jwtExpiresAt(original) as number) + 1_000);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toMatchObject({ ok: true, sent: true });
    expect(socket.connected).toBe(true);
    expect(disconnects).toBe(0);
  });

  it('renews a session the server dropped (atExpiry: drop-user) on portcullis:expired', async () => {
    const { server } = await guardedServer({
      sessionExpiry: { atExpiry: 'drop-user', warnBeforeMs: false },
    });
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('eve', { expiresInS: 2, sid: 'tab-5' }) },
    });
    const refreshes: RefreshResult[] = [];
    guardClient(socket, {
      getToken: () => token('eve', { sid: 'tab-5' }),
      onRefresh: (result) => refreshes.push(result),
    });
    await waitFor(socket, 'connect');
    const [expired] = await waitFor(socket, 'portcullis:expired', 10_000);
    expect(expired).toMatchObject({ code: 'SESSION_EXPIRED' });
    await eventually(() => refreshes.length > 0, 5_000, 'the refresh');
    expect(refreshes[0]).toMatchObject({ ok: true, sent: true });
    expect(await emitWithAck(socket, 'chat:send', { text: 'back' })).toEqual({ ok: true });
  });

  it('reports a refused refresh (a token of another session) to onRefusal', async () => {
    const { server } = await guardedServer();
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('carol', { sid: 'tab-3' }) },
    });
    const refusals: [GuardErrorInfo, string][] = [];
    const guard = guardClient(socket, {
      getToken: () => token('carol', { sid: 'another-session' }),
      onRefusal: (info, source) => refusals.push([info, source]),
    });
    await waitFor(socket, 'connect');
    const result = await guard.refresh();
    expect(result).toMatchObject({ ok: false, reason: 'refused', error: { code: 'AUTH_INVALID' } });
    expect(refusals.map(([info, source]) => [info.code, source])).toEqual([
      ['AUTH_INVALID', 'refresh'],
    ]);
    expect(socket.connected).toBe(true);
  });

  it('shares one refresh between concurrent calls, and only updates auth while disconnected', async () => {
    const { server } = await guardedServer();
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('dan', { sid: 'tab-4' }), room: 'general' },
    });
    let calls = 0;
    const guard = guardClient(socket, {
      getToken: async () => {
        calls++;
        return token('dan', { sid: 'tab-4' });
      },
    });
    await waitFor(socket, 'connect');
    const [first, second] = await Promise.all([guard.refresh(), guard.refresh()]);
    expect(first).toBe(second);
    expect(first).toMatchObject({ ok: true, sent: true });
    expect(calls).toBe(1);

    socket.disconnect();
    expect(await guard.refresh()).toEqual({ ok: true, expiresAt: null, sent: false });
    expect(calls).toBe(2);
    // Other auth fields are kept.
    expect(socket.auth).toEqual({ token: expect.any(String), room: 'general' });

    const noSource = guardClient(socket);
    expect(await noSource.refresh()).toEqual({ ok: false, reason: 'no-token-source' });
    const failing = guardClient(socket, { getToken: () => Promise.reject(new Error('offline')) });
    expect(await failing.refresh()).toEqual({ ok: false, reason: 'token-unavailable' });
  });
});
