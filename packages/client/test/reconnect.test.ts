import { expectSilence, waitFor } from '@portcullis/testing';
import { guardClient, type GuardErrorInfo, type ReconnectAdvice } from '../src';
import { SECRET, browserLikeClient, eventually, guardedServer, token } from './helpers';

type Seen = { info: GuardErrorInfo; advice: ReconnectAdvice };

const refusedHandshakes = (events: { type: string }[]) =>
  events.filter((event) => event.type === 'handshake_refused').length;

describe('guardClient after a refused handshake', () => {
  it('retries a rate-limited handshake after retryAfterMs, then connects', async () => {
    const { server, events } = await guardedServer({
      rateLimit: { connections: { perIp: { points: 1, durationMs: 2_000 } } },
    });
    const first = browserLikeClient(server.url, { auth: { token: await token('alice') } });
    await waitFor(first, 'connect');
    first.disconnect();

    const socket = browserLikeClient(server.url, {
      auth: { token: await token('alice') },
      autoConnect: false,
    });
    const seen: Seen[] = [];
    guardClient(socket, { onHandshakeRefusal: (info, advice) => seen.push({ info, advice }) });
    socket.connect();
    await waitFor(socket, 'connect', 10_000);

    expect(seen).toHaveLength(1);
    const [{ info, advice }] = seen as [Seen];
    expect(info.code).toBe('RATE_LIMITED');
    expect(advice.action).toBe('retry');
    expect((advice as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(
      info.retryAfterMs ?? NaN,
    );
    // Socket.io itself does not reconnect after a middleware refusal: the helper did, and
    // not too early, or the server would have refused a second time.
    expect(refusedHandshakes(events)).toBe(1);
  });

  it('does not retry a terminal refusal (AUTH_INVALID)', async () => {
    const { server, events } = await guardedServer();
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('mallory', { secret: `${SECRET}-forged` }) },
      autoConnect: false,
    });
    const seen: Seen[] = [];
    guardClient(socket, {
      getToken: () => token('mallory'),
      onHandshakeRefusal: (info, advice) => seen.push({ info, advice }),
      backoff: { baseDelayMs: 50 },
    });
    socket.connect();
    await waitFor(socket, 'connect_error');
    await expectSilence(socket, 'connect_error', 1_500);
    expect(seen.map(({ info, advice }) => [info.code, advice.action])).toEqual([
      ['AUTH_INVALID', 'stop'],
    ]);
    expect(socket.connected).toBe(false);
    expect(refusedHandshakes(events)).toBe(1);
  });

  it('reconnects with a fresh token after AUTH_EXPIRED, and stops without getToken', async () => {
    const { server } = await guardedServer();
    const fresh = await token('erin');
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('erin', { expiresInS: -30 }) },
      autoConnect: false,
    });
    const seen: Seen[] = [];
    guardClient(socket, {
      getToken: () => fresh,
      onHandshakeRefusal: (info, advice) => seen.push({ info, advice }),
    });
    socket.connect();
    await waitFor(socket, 'connect');
    expect(seen.map(({ info, advice }) => [info.code, advice.action])).toEqual([
      ['AUTH_EXPIRED', 'refresh-token'],
    ]);
    expect(socket.auth).toEqual({ token: fresh });

    const stuck = browserLikeClient(server.url, {
      auth: { token: await token('erin', { expiresInS: -30 }) },
      autoConnect: false,
    });
    const stuckSeen: Seen[] = [];
    guardClient(stuck, { onHandshakeRefusal: (info, advice) => stuckSeen.push({ info, advice }) });
    stuck.connect();
    await waitFor(stuck, 'connect_error');
    await expectSilence(stuck, 'connect_error', 1_000);
    expect(stuckSeen.map(({ advice }) => advice.action)).toEqual(['stop']);
  });

  it('leaves the socket alone with autoReconnect: false, still giving the advice', async () => {
    const { server, events } = await guardedServer({
      rateLimit: { connections: { perIp: { points: 1, durationMs: 1_000 } } },
    });
    await waitFor(
      browserLikeClient(server.url, { auth: { token: await token('fay') } }),
      'connect',
    );
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('fay') },
      autoConnect: false,
    });
    const seen: Seen[] = [];
    guardClient(socket, {
      autoReconnect: false,
      onHandshakeRefusal: (info, advice) => seen.push({ info, advice }),
    });
    socket.connect();
    await waitFor(socket, 'connect_error');
    await expectSilence(socket, 'connect', 2_000);
    expect(seen.map(({ advice }) => advice.action)).toEqual(['retry']);
    expect(refusedHandshakes(events)).toBe(1);
  });
});

describe('guardClient after portcullis:disconnect', () => {
  it('stays out after a logout elsewhere (SESSION_REVOKED)', async () => {
    const { server, guards } = await guardedServer();
    const socket = browserLikeClient(server.url, { auth: { token: await token('gus') } });
    const seen: Seen[] = [];
    guardClient(socket, {
      getToken: () => token('gus'),
      onDisconnectNotice: (info, advice) => seen.push({ info, advice }),
      backoff: { baseDelayMs: 50 },
    });
    await waitFor(socket, 'connect');
    const disconnected = waitFor(socket, 'disconnect');
    await guards.revocation?.revokeUser('gus');
    await disconnected;
    await expectSilence(socket, 'connect', 1_500);
    expect(seen.map(({ info, advice }) => [info.code, advice.action])).toEqual([
      ['SESSION_REVOKED', 'stop'],
    ]);
  });

  it('comes back after an idle timeout, with a backoff', async () => {
    const { server } = await guardedServer({ idleTimeout: { idleTimeoutMs: 500 } });
    const socket = browserLikeClient(server.url, { auth: { token: await token('hal') } });
    const seen: Seen[] = [];
    let connects = 0;
    socket.on('connect', () => connects++);
    const guard = guardClient(socket, {
      onDisconnectNotice: (info, advice) => seen.push({ info, advice }),
      backoff: { baseDelayMs: 100 },
    });
    await eventually(() => connects >= 2, 10_000, 'a second connection');
    guard.dispose();
    expect(seen[0]?.info.code).toBe('IDLE_TIMEOUT');
    expect(seen[0]?.advice.action).toBe('retry');
  });

  it('reconnects with a fresh token when the session expires (no in-band refresh)', async () => {
    const { server } = await guardedServer({ sessionExpiry: { warnBeforeMs: false } });
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('ivy', { expiresInS: 2 }) },
    });
    const ids: (string | undefined)[] = [];
    socket.on('connect', () => ids.push(socket.id));
    const seen: Seen[] = [];
    const fresh = await token('ivy');
    guardClient(socket, {
      getToken: () => fresh,
      onDisconnectNotice: (info, advice) => seen.push({ info, advice }),
    });
    await eventually(() => ids.length >= 2, 10_000, 'a reconnection');
    expect(seen.map(({ info, advice }) => [info.code, advice.action])).toEqual([
      ['SESSION_EXPIRED', 'refresh-token'],
    ]);
    expect(ids[1]).not.toBe(ids[0]);
    expect(socket.auth).toEqual({ token: fresh });
  });
});
