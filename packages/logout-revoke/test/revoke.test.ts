import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  type SecurityEvent,
} from '@portcullis/core';
import {
  connectClient,
  createClient,
  delay,
  emitWithAck,
  expectConnectError,
  expectSilence,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import type { ServerOptions } from 'socket.io';
import {
  createDenylist,
  logoutRevokeGuard,
  memoryDenylistStore,
  type LogoutRevokeGuardOptions,
} from '../src';
import { signToken, testAuthentication, waitForNextSecond } from './helpers';

const REVOKED = {
  code: 'SESSION_REVOKED',
  message: new GuardError('SESSION_REVOKED').message,
  retryable: false,
};

async function revocationServer(
  options: LogoutRevokeGuardOptions = {},
  serverOptions: Partial<ServerOptions> = {},
  bus?: SecurityEventBus,
) {
  const logout = logoutRevokeGuard(options);
  const recovered: string[] = [];
  const server = await startServer({
    serverOptions,
    setup(io) {
      if (bus !== undefined) configurePortcullis(io, { bus });
      io.use(testAuthentication());
      logout.install(io);
      io.on('connection', (socket) => {
        if (socket.recovered) recovered.push(socket.id);
        else socket.emit('welcome');
        socket.on('echo', (value: unknown, ack: (reply: unknown) => void) => ack(value));
      });
    },
  });
  return { server, logout, recovered };
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await delay(25);
  expect(condition()).toBe(true);
}

const connectAs = (url: string, token: string): Promise<ClientSocket> =>
  connectClient(url, { auth: { token } });

/** Resolves with the revocation payload once the client was told and disconnected. */
async function expectRevoked(client: ClientSocket): Promise<void> {
  const order: string[] = [];
  client.on('portcullis:disconnect', () => order.push('portcullis:disconnect'));
  client.on('disconnect', () => order.push('disconnect'));
  const [[payload], [reason]] = await Promise.all([
    waitFor(client, 'portcullis:disconnect'),
    waitFor(client, 'disconnect'),
  ]);
  expect(payload).toEqual(REVOKED);
  expect(reason).toBe('io server disconnect');
  // Told first, then cut. (A recovered socket may also get the notice it missed while
  // away, replayed by Socket.io: then it is told twice, and still cut only by the guard.)
  expect(order[0]).toBe('portcullis:disconnect');
  expect(order[order.length - 1]).toBe('disconnect');
  expect(order.filter((entry) => entry === 'disconnect')).toHaveLength(1);
}

async function expectStillServed(client: ClientSocket): Promise<void> {
  expect(client.connected).toBe(true);
  expect(await emitWithAck(client, 'echo', 'still here')).toBe('still here');
}

describe('logoutRevokeGuard on one node (memory denylist)', () => {
  it('revokeUser cuts every socket of the user, SESSION_REVOKED first; others stay', async () => {
    const { server, logout } = await revocationServer();
    const laptop = await connectAs(server.url, await signToken({ sub: 'alice', sid: 'A' }));
    const phone = await connectAs(server.url, await signToken({ sub: 'alice', sid: 'B' }));
    const bob = await connectAs(server.url, await signToken({ sub: 'bob', sid: 'C' }));
    const bobSilent = expectSilence(bob, 'portcullis:disconnect', 500);
    const laptopCut = expectRevoked(laptop);
    const phoneCut = expectRevoked(phone);
    await logout.revokeUser('alice');
    await Promise.all([laptopCut, phoneCut, bobSilent]);
    await expectStillServed(bob);
  });

  it('refuses the revoked token at the next handshake; a token issued after connects', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const { server, logout } = await revocationServer({}, {}, bus);
    const token = await signToken({ sub: 'alice', sid: 'secret-session-id' });
    const client = await connectAs(server.url, token);
    const cut = expectRevoked(client);
    await logout.revokeUser('alice');
    await cut;
    const refused = await expectConnectError(server.url, { auth: { token } });
    expect(refused.data).toEqual(REVOKED);
    // Logout is not a ban: a new login (a token issued in a later second) connects.
    await waitForNextSecond();
    const fresh = await connectAs(server.url, await signToken({ sub: 'alice', sid: 'new' }));
    await expectStillServed(fresh);

    const refusal = events.find((event) => event.type === 'handshake_refused');
    expect(refusal).toMatchObject({
      code: 'SESSION_REVOKED',
      guard: 'logout-revoke',
      userId: 'alice',
    });
    expect(JSON.stringify(events)).not.toContain('secret-session-id');
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('revokeUser with exceptSession logs out the other devices only', async () => {
    const { server, logout } = await revocationServer();
    const kept = await signToken({ sub: 'alice', sid: 'this-device' });
    const other = await signToken({ sub: 'alice', sid: 'other-device' });
    const here = await connectAs(server.url, kept);
    const there = await connectAs(server.url, other);
    const hereSilent = expectSilence(here, 'portcullis:disconnect', 500);
    const thereCut = expectRevoked(there);
    await logout.revokeUser('alice', { exceptSession: 'this-device' });
    await Promise.all([thereCut, hereSilent]);
    await expectStillServed(here);
    expect((await expectConnectError(server.url, { auth: { token: other } })).data).toEqual(
      REVOKED,
    );
    await expectStillServed(await connectAs(server.url, kept));
  });

  it('revokeSession cuts that session and refuses its tokens, even newer ones', async () => {
    const { server, logout } = await revocationServer();
    const kept = await connectAs(server.url, await signToken({ sub: 'alice', sid: 'A' }));
    const revoked = await connectAs(server.url, await signToken({ sub: 'alice', sid: 'B' }));
    const keptSilent = expectSilence(kept, 'portcullis:disconnect', 500);
    const cut = expectRevoked(revoked);
    await logout.revokeSession('B');
    await Promise.all([cut, keptSilent]);
    await expectStillServed(kept);
    await waitForNextSecond();
    const later = await signToken({ sub: 'alice', sid: 'B' });
    expect((await expectConnectError(server.url, { auth: { token: later } })).data).toEqual(
      REVOKED,
    );
  });

  it('revokeToken cuts the sockets of one token and refuses it until it expires', async () => {
    let clock = Date.now();
    const denylist = createDenylist({
      store: memoryDenylistStore({ now: () => clock }),
      now: () => clock,
    });
    const { server, logout } = await revocationServer({ denylist });
    const stolen = await signToken({ sub: 'alice', sid: 'A', jti: 'token-1', ttlSeconds: 600 });
    const other = await signToken({ sub: 'alice', sid: 'A', jti: 'token-2' });
    const stolenSocket = await connectAs(server.url, stolen);
    const otherSocket = await connectAs(server.url, other);
    const otherSilent = expectSilence(otherSocket, 'portcullis:disconnect', 500);
    const cut = expectRevoked(stolenSocket);
    const expiresAt = clock + 600_000;
    await logout.revokeToken('token-1', expiresAt);
    await Promise.all([cut, otherSilent]);
    await expectStillServed(otherSocket);
    expect((await expectConnectError(server.url, { auth: { token: stolen } })).data).toEqual(
      REVOKED,
    );
    // Once the token would have expired the entry is gone (jose still accepts the token
    // here because only the denylist's clock moved).
    clock = expiresAt + 1;
    await expectStillServed(await connectAs(server.url, stolen));
  });

  it('revokeIssuedBefore with a past time cuts only the older tokens', async () => {
    const { server, logout } = await revocationServer();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const old = await signToken({ sub: 'alice', sid: 'A', iat: nowSeconds - 120 });
    const recent = await signToken({ sub: 'alice', sid: 'B', iat: nowSeconds - 10 });
    const oldSocket = await connectAs(server.url, old);
    const recentSocket = await connectAs(server.url, recent);
    const recentSilent = expectSilence(recentSocket, 'portcullis:disconnect', 500);
    const cut = expectRevoked(oldSocket);
    await logout.revokeIssuedBefore('alice', (nowSeconds - 60) * 1000);
    await Promise.all([cut, recentSilent]);
    await expectStillServed(recentSocket);
    expect((await expectConnectError(server.url, { auth: { token: old } })).data).toEqual(REVOKED);
    await expectStillServed(await connectAs(server.url, recent));
  });

  it('refuses a token without iat after a revocation of its user (it cannot prove it is newer)', async () => {
    const { server, logout } = await revocationServer();
    const noIat = await signToken({ sub: 'alice', iat: null });
    await logout.revokeUser('alice');
    expect((await expectConnectError(server.url, { auth: { token: noIat } })).data).toEqual(
      REVOKED,
    );
    // Anonymous sockets are not this guard's business.
    await expectStillServed(await connectAs(server.url, await signToken({ sub: 'bob' })));
  });

  it('re-checks a recovered socket: revoked while away, cut on its return', async () => {
    const { server, logout, recovered } = await revocationServer(
      {},
      { connectionStateRecovery: {} },
    );
    const client = createClient(server.url, {
      auth: { token: await signToken({ sub: 'alice', sid: 'A' }) },
    });
    await waitFor(client, 'welcome'); // recovery needs an offset: one packet received
    const dropped = waitFor(client, 'disconnect');
    client.io.engine.close(); // a network failure; the server keeps the session
    await dropped;
    await until(() => server.io.of('/').sockets.size === 0);
    await logout.revokeUser('alice'); // nobody in the room right now
    const cut = expectRevoked(client);
    client.connect();
    await cut;
    expect(recovered).toHaveLength(1);
  });

  it('says how to fix misuse', async () => {
    const logout = logoutRevokeGuard();
    await expect(logout.revokeUser('alice')).rejects.toThrow(/call install\(io\) before revoking/);
    expect(() => createDenylist({ maxTokenLifetimeMs: 0 })).toThrow(
      /createDenylist: maxTokenLifetimeMs: must be a number of milliseconds ≥ 1; got 0/,
    );
    const { logout: installed } = await revocationServer();
    await expect(installed.revokeUser('')).rejects.toThrow(/userId must be a non-empty string/);
    await expect(installed.revokeToken('jti', Number.NaN)).rejects.toThrow(/exp \* 1000/);
  });
});

describe('memoryDenylistStore', () => {
  it('forgets entries after their TTL and sweeps them so memory stays bounded', () => {
    let clock = 0;
    const store = memoryDenylistStore({ now: () => clock });
    store.set('a', '1', 100);
    store.setMax('cutoff', 50, 1000);
    store.setMax('cutoff', 40, 1000); // an earlier cutoff never replaces a later one
    expect(store.getMany(['a', 'cutoff', 'missing'])).toEqual(['1', '50', undefined]);
    clock = 100;
    expect(store.getMany(['a'])).toEqual([undefined]);
    for (let index = 0; index < 5000; index++) store.set(`k${index}`, '1', 10);
    clock = 2000;
    for (let index = 0; index < 1024; index++) store.set(`late${index}`, '1', 10);
    expect(store.size).toBeLessThanOrEqual(1024);
  });
});
