import { getContext, shortDigest } from '@portcullis/core';
import { connectClient, delay, startServer, waitFor } from '@portcullis/testing';
import {
  REVOKE_EVENT,
  logoutRevokeGuard,
  revocationIndexOf,
  syncRevocationIndex,
  type LogoutRevokeGuard,
} from '../src';
import { digestBucket } from '../src/local-index';
import { signToken, testAuthentication } from './helpers';

async function indexedServer() {
  const logout: LogoutRevokeGuard = logoutRevokeGuard();
  const server = await startServer({
    setup(io) {
      io.use(testAuthentication());
      logout.install(io);
    },
  });
  return { server, logout, index: revocationIndexOf(server.io) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await delay(25);
  expect(condition()).toBe(true);
}

describe('the revocation index', () => {
  it('puts a socket in no room of its own, and forgets it when it leaves', async () => {
    const { server, index } = await indexedServer();
    const clients = await Promise.all(
      ['u1', 'u2', 'u3'].map(async (sub, i) =>
        connectClient(server.url, {
          auth: { token: await signToken({ sub, sid: `s${i}`, jti: `t${i}` }) },
        }),
      ),
    );
    expect(index.users).toBe(3);
    expect(index.ofUser('u2')).toHaveLength(1);
    for (const socket of server.io.sockets.sockets.values()) {
      // Only Socket.io's own room (the socket id): revocation needs none.
      expect([...socket.rooms]).toEqual([socket.id]);
    }
    for (const client of clients) client.disconnect();
    await until(() => index.users === 0);
    expect(index.ofUser('u2')).toEqual([]);
  });

  it('files sessions and tokens under short keys, and cuts only the one whose digest was named', async () => {
    // Two session ids and two token ids whose digests share an index key: a lookup must
    // still tell them apart by the whole digest.
    const colliding = (prefix: string): [string, string] => {
      const seen = new Map<number, string>();
      for (let i = 0; ; i++) {
        const id = `${prefix}-${i}`;
        const bucket = digestBucket(shortDigest(id));
        const earlier = seen.get(bucket);
        if (earlier !== undefined) return [earlier, id];
        seen.set(bucket, id);
      }
    };
    const [sessionA, sessionB] = colliding('session');
    const [tokenA, tokenB] = colliding('token');
    expect(shortDigest(sessionA)).not.toBe(shortDigest(sessionB));
    const { server, logout, index } = await indexedServer();
    const connect = async (sub: string, sid: string, jti: string) =>
      connectClient(server.url, { auth: { token: await signToken({ sub, sid, jti }) } });
    const a = await connect('ann', sessionA, tokenA);
    const b = await connect('bob', sessionB, tokenB);
    expect(index.ofSession(shortDigest(sessionA))).toHaveLength(1);
    expect(index.ofToken(shortDigest(tokenB))).toHaveLength(1);

    const aTold = waitFor(a, 'portcullis:disconnect');
    await logout.revokeSession(sessionA);
    expect((await aTold)[0]).toMatchObject({ code: 'SESSION_REVOKED' });
    await delay(200);
    expect(b.connected).toBe(true);

    const c = await connect('cid', 'session-c', tokenA);
    const cTold = waitFor(c, 'portcullis:disconnect');
    await logout.revokeToken(tokenA, Date.now() + 60_000);
    expect((await cTold)[0]).toMatchObject({ code: 'SESSION_REVOKED' });
    await delay(200);
    expect(b.connected).toBe(true);
    expect(index.ofToken(shortDigest(tokenA))).toEqual([]);
  });

  it('follows a changed user: the old token no longer reaches the socket, the new one does', async () => {
    const { server, logout } = await indexedServer();
    const client = await connectClient(server.url, {
      auth: { token: await signToken({ sub: 'alice', jti: 'old' }) },
    });
    const socket = [...server.io.sockets.sockets.values()][0];
    if (socket === undefined) throw new Error('no socket');
    const context = getContext(socket);
    context.user = { ...(context.user as NonNullable<typeof context.user>), tokenId: 'new' };
    syncRevocationIndex(socket);
    await logout.revokeToken('old', Date.now() + 60_000);
    await delay(200);
    expect(client.connected).toBe(true);
    const told = waitFor(client, 'portcullis:disconnect');
    await logout.revokeToken('new', Date.now() + 60_000);
    expect((await told)[0]).toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('ignores a malformed revocation message and keeps serving', async () => {
    const { server } = await indexedServer();
    const client = await connectClient(server.url, {
      auth: { token: await signToken({ sub: 'alice', sid: 'S' }) },
    });
    // What another node or an emitter would deliver, here handed to the namespace itself.
    const nsp = server.io.sockets as unknown as { _onServerSideEmit(args: unknown[]): void };
    const deliver = (value: unknown): void => nsp._onServerSideEmit([REVOKE_EVENT, value]);
    for (const bad of [
      null,
      'user',
      { kind: 'user' },
      { kind: 'user', userId: 42 },
      { kind: 'x' },
    ]) {
      deliver(bad);
    }
    await delay(100);
    expect(client.connected).toBe(true);
    const told = waitFor(client, 'portcullis:disconnect');
    deliver({ kind: 'user', userId: 'alice' });
    expect((await told)[0]).toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('with the in-memory adapter, revokes without asking it for serverSideEmit (no warning)', async () => {
    const { server, logout } = await indexedServer();
    const client = await connectClient(server.url, {
      auth: { token: await signToken({ sub: 'alice' }) },
    });
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const told = waitFor(client, 'portcullis:disconnect');
      await logout.revokeUser('alice');
      await told;
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual([]);
  });
});
