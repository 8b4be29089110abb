import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  getContext,
  peekContext,
  usePacketGuards,
  type SecurityEvent,
} from '@portcullis/core';
import {
  connectClient,
  createClient,
  delay,
  emitWithAck,
  expectSilence,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import type { ServerOptions } from 'socket.io';
import {
  checkConnectionStateRecovery,
  sessionExpiryGuard,
  type SessionExpiryGuardOptions,
} from '../src';
import { secondsFromNow, signToken, testAuthentication, verifyToken } from './helpers';

interface Whoami {
  id?: string;
  expiresAt?: number;
}

async function expiryServer(
  options: SessionExpiryGuardOptions,
  extra: {
    serverOptions?: Partial<ServerOptions>;
    now?: () => number;
    bus?: SecurityEventBus;
  } = {},
) {
  const guard = sessionExpiryGuard(options);
  const handled: string[] = [];
  const server = await startServer({
    serverOptions: extra.serverOptions,
    setup(io) {
      configurePortcullis(io, { now: extra.now, bus: extra.bus });
      io.use(testAuthentication());
      usePacketGuards(io, guard);
      io.on('connection', (socket) => {
        if (!socket.recovered) socket.emit('welcome');
        socket.on('whoami', (ack: (reply: Whoami) => void) => {
          handled.push('whoami');
          const user = getContext(socket).user;
          ack({ id: user?.id, expiresAt: user?.expiresAt });
        });
        socket.on('news', (ack: (reply: string) => void) => {
          handled.push('news');
          ack('news');
        });
        socket.on('portcullis:refresh', () => handled.push('portcullis:refresh'));
      });
    },
  });
  return { server, guard, handled };
}

const connectWith = (url: string, token: string): Promise<ClientSocket> =>
  connectClient(url, { auth: { token } });

/** Records the events a client receives, with the wall-clock time they arrived. */
function journal(client: ClientSocket): { event: string; at: number; payload: unknown }[] {
  const entries: { event: string; at: number; payload: unknown }[] = [];
  for (const event of ['portcullis:expiring', 'portcullis:disconnect', 'disconnect']) {
    client.on(event, (payload: unknown) => entries.push({ event, at: Date.now(), payload }));
  }
  return entries;
}

describe('sessionExpiryGuard', () => {
  it('warns, then cuts the socket at the token expiry, not at the next handshake', async () => {
    const { server } = await expiryServer({ verifyToken, warnBeforeMs: 1000 });
    const exp = secondsFromNow(3); // 2 to 3 s ahead (exp has one-second precision)
    const client = await connectWith(server.url, await signToken({ sub: 'alice', exp }));
    const seen = journal(client);
    await waitFor(client, 'disconnect', 10_000);
    expect(seen.map((entry) => entry.event)).toEqual([
      'portcullis:expiring',
      'portcullis:disconnect',
      'disconnect',
    ]);
    const [expiring, notice, closed] = seen as [
      (typeof seen)[0],
      (typeof seen)[0],
      (typeof seen)[0],
    ];
    expect(expiring.payload).toEqual({ expiresAt: exp * 1000, expiresInMs: expect.any(Number) });
    expect(expiring.at).toBeLessThan(exp * 1000);
    expect(notice.payload).toEqual({
      code: 'SESSION_EXPIRED',
      message: new GuardError('SESSION_EXPIRED').message,
      retryable: true,
    });
    expect(closed.payload).toBe('io server disconnect');
    expect(notice.at).toBeGreaterThanOrEqual(exp * 1000); // never before the expiry
  });

  it('moves the expiry on a refresh, without reconnecting', async () => {
    const { server, handled } = await expiryServer({ verifyToken, warnBeforeMs: 1500 });
    const exp = secondsFromNow(3);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', sid: 'S', exp }));
    await waitFor(client, 'portcullis:expiring', 10_000);
    const laterExp = secondsFromNow(600);
    const reply = await emitWithAck(
      client,
      'portcullis:refresh',
      await signToken({ sub: 'alice', sid: 'S', exp: laterExp }),
    );
    expect(reply).toEqual({ ok: true, expiresAt: laterExp * 1000 });
    // Past the original expiry, still connected, with the new expiry in the context.
    await expectSilence(client, 'portcullis:disconnect', exp * 1000 - Date.now() + 700);
    expect(await emitWithAck(client, 'whoami')).toEqual({
      id: 'alice',
      expiresAt: laterExp * 1000,
    });
    expect(handled).not.toContain('portcullis:refresh'); // never reaches the app's handlers
  });

  it("refuses a refresh with another user's token and leaves the session as it was", async () => {
    const { server, handled } = await expiryServer({ verifyToken, warnBeforeMs: false });
    const exp = secondsFromNow(3);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', sid: 'S', exp }));
    const bobs = await signToken({ sub: 'bob', sid: 'S', exp: secondsFromNow(600) });
    expect(await emitWithAck(client, 'portcullis:refresh', bobs)).toMatchObject({
      error: { code: 'AUTH_INVALID', retryable: false },
    });
    expect(await emitWithAck(client, 'whoami')).toEqual({ id: 'alice', expiresAt: exp * 1000 });
    // The original expiry still holds.
    const [payload] = await waitFor(client, 'portcullis:disconnect', 10_000);
    expect(payload).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(handled).toEqual(['whoami']);
  });

  it('answers every bad refresh with an auth code and keeps serving', async () => {
    const { server } = await expiryServer({ verifyToken });
    const exp = secondsFromNow(600);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', sid: 'S', exp }));
    const other = await connectWith(server.url, await signToken({ sub: 'bob', exp }));
    const refresh = (payload: unknown) => emitWithAck(client, 'portcullis:refresh', payload);
    const codeOf = async (payload: unknown) =>
      ((await refresh(payload)) as { error?: { code: string } }).error?.code;
    expect(await codeOf(undefined)).toBe('AUTH_REQUIRED');
    expect(await codeOf({ notAToken: true })).toBe('AUTH_REQUIRED');
    expect(await codeOf('not.a.jwt')).toBe('AUTH_INVALID');
    expect(await codeOf('x'.repeat(20_000))).toBe('AUTH_INVALID');
    expect(
      await codeOf(await signToken({ sub: 'alice', sid: 'S', exp: secondsFromNow(-60) })),
    ).toBe('AUTH_EXPIRED');
    // Same user, another session: a refresh continues a session, it does not switch.
    expect(await codeOf(await signToken({ sub: 'alice', sid: 'T', exp }))).toBe('AUTH_INVALID');
    // { token } is accepted as well as the bare string.
    expect(await refresh({ token: await signToken({ sub: 'alice', sid: 'S', exp }) })).toEqual({
      ok: true,
      expiresAt: exp * 1000,
    });
    // Without an ack the refusal arrives on portcullis:error.
    const refused = waitFor(client, 'portcullis:error');
    client.emit('portcullis:refresh', 'garbage');
    expect((await refused)[0]).toMatchObject({ code: 'AUTH_INVALID', event: 'portcullis:refresh' });
    expect(await emitWithAck(other, 'whoami')).toEqual({ id: 'bob', expiresAt: exp * 1000 });
  });

  it("with atExpiry: 'drop-user', keeps the socket open for public events only", async () => {
    const changes: string[] = [];
    const { server, handled } = await expiryServer({
      verifyToken,
      warnBeforeMs: false,
      atExpiry: 'drop-user',
      publicEvents: ['news'],
      onUserChange: (socket) => changes.push(getContext(socket).user?.id ?? 'no user'),
    });
    const exp = secondsFromNow(2);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', sid: 'S', exp }));
    const [expired] = await waitFor(client, 'portcullis:expired', 10_000);
    expect(expired).toMatchObject({ code: 'SESSION_EXPIRED', expiresAt: exp * 1000 });
    expect(client.connected).toBe(true);
    expect(await emitWithAck(client, 'news')).toBe('news');
    expect(await emitWithAck(client, 'whoami')).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    expect(handled).toEqual(['news']);
    // Signing in again in-band (same user) restores the session.
    const laterExp = secondsFromNow(600);
    const reply = await emitWithAck(
      client,
      'portcullis:refresh',
      await signToken({ sub: 'alice', sid: 'S', exp: laterExp }),
    );
    expect(reply).toEqual({ ok: true, expiresAt: laterExp * 1000 });
    expect(await emitWithAck(client, 'whoami')).toEqual({
      id: 'alice',
      expiresAt: laterExp * 1000,
    });
    expect(changes).toEqual(['no user', 'alice']);
  });

  it('keeps a dropped user dropped across connection state recovery', async () => {
    let clock = Date.now();
    const now = (): number => clock;
    const { server, guard } = await expiryServer(
      { warnBeforeMs: false, atExpiry: 'drop-user', publicEvents: ['news'] },
      { now, serverOptions: { connectionStateRecovery: {} } },
    );
    const exp = secondsFromNow(600);
    const client = createClient(server.url, {
      auth: { token: await signToken({ sub: 'alice', exp }) },
    });
    await waitFor(client, 'welcome');
    clock = exp * 1000;
    const expired = waitFor(client, 'portcullis:expired');
    guard.sweep();
    await expired;
    const dropped = waitFor(client, 'disconnect');
    client.io.engine.close();
    await dropped;
    for (let tries = 0; tries < 200 && server.io.of('/').sockets.size > 0; tries++) await delay(25);
    const back = waitFor(client, 'connect');
    client.connect();
    await back;
    expect(client.recovered).toBe(true);
    expect(await emitWithAck(client, 'whoami')).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    expect(await emitWithAck(client, 'news')).toBe('news');
  });

  it('keeps what it knows of a socket in the context record, visible to fetchSockets()', async () => {
    let clock = Date.now();
    const now = (): number => clock;
    const seenBy: string[] = [];
    const { server, guard } = await expiryServer(
      {
        warnBeforeMs: 60_000,
        atExpiry: 'drop-user',
        revalidate: () => true,
        onRevalidateError: 'allow',
        verifyToken: (token, socket) => {
          seenBy.push(socket.id);
          return verifyToken(token);
        },
      },
      { now },
    );
    const exp = secondsFromNow(600);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', sid: 'S', exp }));
    const record = async () => {
      const [socket] = await server.io.fetchSockets();
      return peekContext(socket as { data: unknown }) as Record<string, unknown> | undefined;
    };
    expect(await record()).toMatchObject({ revalidateAt: clock + 30 * 60_000 });
    clock = exp * 1000 - 30_000;
    const warned = waitFor(client, 'portcullis:expiring');
    guard.sweep();
    await warned;
    expect(await record()).toMatchObject({ expiryWarnedFor: exp * 1000 });
    clock = exp * 1000;
    const expired = waitFor(client, 'portcullis:expired');
    guard.sweep();
    await expired;
    const dropped = await record();
    expect(dropped?.user).toBeUndefined();
    expect(dropped?.droppedUser).toEqual({ id: 'alice', sessionId: 'S' });
    // The refresh's verifier is given the socket (its clock and validate hook need it).
    const laterExp = secondsFromNow(1200);
    const reply = await emitWithAck(
      client,
      'portcullis:refresh',
      await signToken({ sub: 'alice', sid: 'S', exp: laterExp }),
    );
    expect(reply).toEqual({ ok: true, expiresAt: laterExp * 1000 });
    expect(seenBy).toEqual([client.id]);
    const restored = await record();
    expect(restored?.droppedUser).toBeUndefined();
    expect(restored?.expiryWarnedFor).toBeUndefined();
  });

  it('refuses a packet of an expired session even before the timer fires', async () => {
    let clock = Date.now();
    const now = (): number => clock;
    const { server, handled } = await expiryServer({ verifyToken, warnBeforeMs: false }, { now });
    const exp = secondsFromNow(600);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', exp }));
    clock = exp * 1000; // the clock jumps: no timer has fired for this deadline yet
    const cut = waitFor(client, 'portcullis:disconnect');
    client.emit('whoami', () => undefined);
    expect((await cut)[0]).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(handled).toEqual([]);
  });

  it('revalidates periodically: false disconnects with SESSION_REVOKED', async () => {
    let clock = Date.now();
    const now = (): number => clock;
    const revoked = new Set<string>();
    const checked: string[] = [];
    const { server, guard } = await expiryServer(
      {
        revalidateIntervalMs: 60_000,
        onRevalidateError: 'deny',
        revalidate: (context) => {
          checked.push(context.user?.id ?? '?');
          return Promise.resolve(!revoked.has(context.user?.id ?? ''));
        },
      },
      { now },
    );
    const exp = secondsFromNow(3600);
    const alice = await connectWith(server.url, await signToken({ sub: 'alice', exp }));
    const bob = await connectWith(server.url, await signToken({ sub: 'bob', exp }));
    clock += 30_000;
    guard.sweep();
    expect(checked).toEqual([]); // not yet due
    revoked.add('bob');
    clock += 31_000;
    const bobCut = waitFor(bob, 'portcullis:disconnect');
    guard.sweep();
    expect((await bobCut)[0]).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
    expect(checked.sort()).toEqual(['alice', 'bob']);
    expect(await emitWithAck(alice, 'whoami')).toMatchObject({ id: 'alice' });
  });

  it("follows onRevalidateError when the hook fails: 'allow' or 'deny'", async () => {
    let clock = Date.now();
    const now = (): number => clock;
    const events: SecurityEvent[] = [];
    const bus = new SecurityEventBus();
    bus.on((event) => {
      events.push(event);
    });
    const failing = () => Promise.reject(new Error('database down'));
    const keep = await expiryServer(
      { revalidate: failing, onRevalidateError: 'allow' },
      { now, bus },
    );
    const cut = await expiryServer(
      { revalidate: () => 'yes' as unknown as boolean, onRevalidateError: 'deny' },
      { now, bus },
    );
    const exp = secondsFromNow(3600);
    const token = await signToken({ sub: 'alice', exp });
    const kept = await connectWith(keep.server.url, token);
    const closed = await connectWith(cut.server.url, token);
    clock += 31 * 60_000;
    const closedCut = waitFor(closed, 'portcullis:disconnect');
    keep.guard.sweep();
    cut.guard.sweep();
    expect((await closedCut)[0]).toMatchObject({ code: 'INTERNAL', retryable: true });
    await delay(50);
    expect(await emitWithAck(kept, 'whoami')).toMatchObject({ id: 'alice' });
    const warnings = events.filter((event) => event.type === 'warning');
    expect(warnings.map((event) => event.detail)).toEqual(
      expect.arrayContaining([
        { reason: 'revalidate-failed', policy: 'allow' },
        { reason: 'revalidate-failed', policy: 'deny' },
      ]),
    );
    expect(JSON.stringify(events)).not.toContain('database down');
  });

  it('re-checks a recovered socket: expired while away, cut on return; revalidated at once', async () => {
    let clock = Date.now();
    const now = (): number => clock;
    const checked: string[] = [];
    const { server } = await expiryServer(
      {
        revalidate: (context) => {
          checked.push(context.user?.id ?? '?');
          return true;
        },
        onRevalidateError: 'allow',
      },
      { now, serverOptions: { connectionStateRecovery: {} } },
    );
    const exp = secondsFromNow(600);
    const token = await signToken({ sub: 'alice', exp });
    const dropTransport = async (client: ClientSocket) => {
      const dropped = waitFor(client, 'disconnect');
      client.io.engine.close(); // a network failure; the server keeps the session
      await dropped;
      for (let tries = 0; tries < 200 && server.io.of('/').sockets.size > 0; tries++)
        await delay(25);
    };

    const returning = createClient(server.url, { auth: { token } });
    await waitFor(returning, 'welcome'); // recovery needs one packet received
    await dropTransport(returning);
    const reconnected = waitFor(returning, 'connect');
    returning.connect();
    await reconnected;
    expect(returning.recovered).toBe(true);
    expect(checked).toEqual(['alice']); // io.use was skipped: revalidated on recovery

    await dropTransport(returning);
    clock = exp * 1000 + 1; // expired while away
    const cut = waitFor(returning, 'portcullis:disconnect');
    returning.connect();
    expect((await cut)[0]).toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('refuses refreshes when no verifier is configured', async () => {
    const { server } = await expiryServer({});
    const exp = secondsFromNow(600);
    const client = await connectWith(server.url, await signToken({ sub: 'alice', exp }));
    expect(
      await emitWithAck(client, 'portcullis:refresh', await signToken({ sub: 'alice', exp })),
    ).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('warns at start-up when recovered sockets would skip the io.use guards', async () => {
    const findings: string[] = [];
    const warn = (finding: { code: string }) => findings.push(finding.code);
    const risky = await startServer({ serverOptions: { connectionStateRecovery: {} } });
    expect(checkConnectionStateRecovery(risky.io, { warn })).toHaveLength(1);
    expect(findings).toEqual(['PORTCULLIS_RECOVERY_SKIPS_MIDDLEWARES']);
    const explicit = await startServer({
      serverOptions: { connectionStateRecovery: { skipMiddlewares: true } },
    });
    expect(checkConnectionStateRecovery(explicit.io, { warn })).toHaveLength(1);
    const safe = await startServer({
      serverOptions: { connectionStateRecovery: { skipMiddlewares: false } },
    });
    expect(checkConnectionStateRecovery(safe.io, { warn })).toEqual([]);
    const none = await startServer();
    expect(checkConnectionStateRecovery(none.io, { warn })).toEqual([]);
    expect(findings).toHaveLength(2);
  });
});
