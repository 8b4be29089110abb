import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SecurityEventBus, configurePortcullis, type SecurityEvent } from '@portcullis/core';
import {
  closeIoredis,
  connectClient,
  createClient,
  delay,
  describeRedis,
  emitWithAck,
  expectConnectError,
  expectSilence,
  onCleanup,
  startOwnRedis,
  startServer,
  testRedisUrl,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import { createAdapter } from '@socket.io/redis-adapter';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis, type RedisOptions } from 'ioredis';
import { jwtVerify } from 'jose';
import { createClient as createNodeRedisClient } from 'redis';
import {
  createDenylist,
  createRevoker,
  logoutRevokeGuard,
  redisDenylistStore,
  type DenylistStore,
  type LogoutRevokeGuardOptions,
} from '../src';
import { signToken, testAuthentication, waitForNextSecond } from './helpers';

/** A Redis client closed after the test (after the servers, which are closed first). */
function redisClient(url = testRedisUrl(), options: RedisOptions = {}): Redis {
  const client = new Redis(url, options);
  client.on('error', () => undefined);
  onCleanup(() => closeIoredis(client));
  return client;
}

/**
 * A client connected before it is used, as a server's store client is: core's Redis
 * adapter fails a command at once while its client is not ready (nothing waits in an
 * offline queue), which is not the outage the tests mean.
 */
async function readyRedisClient(url = testRedisUrl(), options: RedisOptions = {}): Promise<Redis> {
  const client = redisClient(url, options);
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

/** Keys and channels of one test, so concurrent runs on the same Redis never meet. */
function isolation(): { adapterKey: string; prefix: string } {
  const id = randomUUID().slice(0, 8);
  return { adapterKey: `portcullis-test-${id}`, prefix: `portcullis-test-${id}:revoked:` };
}

/** One Socket.io node: Redis adapter, test authentication, the guard on a Redis denylist. */
async function startNode(
  ids: { adapterKey: string; prefix: string },
  options: Omit<LogoutRevokeGuardOptions, 'denylist'> & { bus?: SecurityEventBus } = {},
  wrapStore: (store: DenylistStore) => DenylistStore = (store) => store,
) {
  const pub = redisClient();
  const sub = pub.duplicate();
  sub.on('error', () => undefined);
  onCleanup(() => closeIoredis(sub));
  const store = await readyRedisClient();
  const denylist = createDenylist({
    store: wrapStore(redisDenylistStore(store, { prefix: ids.prefix })),
  });
  const logout = logoutRevokeGuard({ ...options, denylist });
  const server = await startServer({
    setup(io) {
      io.adapter(createAdapter(pub, sub, { key: ids.adapterKey }));
      if (options.bus !== undefined) configurePortcullis(io, { bus: options.bus });
      io.use(testAuthentication());
      logout.install(io);
      io.on('connection', (socket) => {
        socket.on('echo', (value: unknown, ack: (reply: unknown) => void) => ack(value));
      });
    },
  });
  return { server, logout, store };
}

const connectAs = (url: string, token: string): Promise<ClientSocket> =>
  connectClient(url, { auth: { token } });

/** Resolves with the time (ms since `since`) at which the client was told and cut. */
async function cutAfter(client: ClientSocket, since: number): Promise<number> {
  const [[payload], [reason]] = await Promise.all([
    waitFor(client, 'portcullis:disconnect', 10_000),
    waitFor(client, 'disconnect', 10_000),
  ]);
  expect(payload).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
  expect(reason).toBe('io server disconnect');
  return performance.now() - since;
}

async function expectServed(client: ClientSocket): Promise<void> {
  expect(client.connected).toBe(true);
  expect(await emitWithAck(client, 'echo', 'ok')).toBe('ok');
}

async function expectRefused(url: string, token: string): Promise<void> {
  const error = await expectConnectError(url, { auth: { token } });
  expect(error.data).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
}

describeRedis('logoutRevokeGuard across two nodes sharing Redis', () => {
  it('revokeUser on node A cuts the user on A and B, then refuses the token on both', async () => {
    const ids = isolation();
    const a = await startNode(ids);
    const b = await startNode(ids);
    const token = await signToken({ sub: 'alice', sid: 'S1' });
    const aliceOnA = await connectAs(a.server.url, token);
    const aliceOnB = await connectAs(b.server.url, token);
    const bobOnA = await connectAs(a.server.url, await signToken({ sub: 'bob' }));
    const bobOnB = await connectAs(b.server.url, await signToken({ sub: 'bob' }));
    const bobQuiet = Promise.all([
      expectSilence(bobOnA, 'portcullis:disconnect', 800),
      expectSilence(bobOnB, 'portcullis:disconnect', 800),
    ]);

    const start = performance.now();
    const cuts = Promise.all([cutAfter(aliceOnA, start), cutAfter(aliceOnB, start)]);
    await a.logout.revokeUser('alice');
    const [onA, onB] = await cuts;
    // Measured, not tight: the bound only catches a revocation that never crosses nodes.
    // (Typical figures are a few ms; see bench/revocation-latency.mjs.)
    expect(Math.max(onA, onB)).toBeLessThan(5000);

    await bobQuiet;
    await Promise.all([expectServed(bobOnA), expectServed(bobOnB)]);
    await expectRefused(a.server.url, token);
    await expectRefused(b.server.url, token);
    // Logout is not a ban: a later login connects on either node.
    await waitForNextSecond();
    const fresh = await signToken({ sub: 'alice', sid: 'S2' });
    await expectServed(await connectAs(b.server.url, fresh));
    await expectServed(await connectAs(a.server.url, fresh));
  });

  it("a revocation written between a handshake's read and its room join still cuts it", async () => {
    const ids = isolation();
    // Node A reads the denylist slowly (a busy event loop, a slow network): the read is
    // answered by Redis before the revocation, and reaches the guard after it.
    let slowReads = 0;
    let readSent: () => void = () => undefined;
    const readIsOut = new Promise<void>((resolve) => {
      readSent = resolve;
    });
    const a = await startNode(ids, {}, (store) => ({
      getMany(keys) {
        const answer = Promise.resolve(store.getMany(keys));
        if (slowReads++ > 0) return answer;
        readSent();
        return answer.then(async (values) => {
          await delay(300);
          return values;
        });
      },
      set: (key, value, ttl) => store.set(key, value, ttl),
      setMax: (key, value, ttl) => store.setMax(key, value, ttl),
    }));
    const b = await startNode(ids);
    const handled: string[] = [];
    a.server.io.on('connection', (socket) => {
      socket.on('work', () => handled.push(socket.id));
    });
    const client = createClient(a.server.url, {
      auth: { token: await signToken({ sub: 'alice', sid: 'race' }) },
    });
    const notice = waitFor(client, 'portcullis:disconnect', 10_000);
    client.on('connect', () => client.emit('work'));
    await readIsOut;
    await delay(20); // Redis has answered the read: alice is not revoked yet
    await b.logout.revokeUser('alice'); // written and broadcast while the answer travels
    const [payload] = await notice;
    expect(payload).toMatchObject({ code: 'SESSION_REVOKED' });
    await delay(100);
    expect(client.connected).toBe(false);
    expect(handled).toEqual([]);
    // One read of the denylist: the revocation that came meanwhile was in node A's log.
    expect(slowReads).toBe(1);
  });

  it('readEarly starts the denylist read before the checks between it and handshake', async () => {
    const ids = isolation();
    const store = await readyRedisClient();
    const events: string[] = [];
    const inner = redisDenylistStore(store, { prefix: ids.prefix });
    const denylist = createDenylist({
      store: {
        getMany(keys) {
          events.push('read');
          return inner.getMany(keys);
        },
        set: (key, value, ttl) => inner.set(key, value, ttl),
        setMax: (key, value, ttl) => inner.setMax(key, value, ttl),
      },
    });
    const logout = logoutRevokeGuard({ denylist });
    const server = await startServer({
      setup(io) {
        io.use(testAuthentication());
        io.use(logout.readEarly);
        // A slow check between the two, as a per-user rate limit asking Redis is.
        io.use((_socket, next) => {
          events.push('slow check');
          setTimeout(next, 100);
        });
        logout.install(io);
        io.on('connection', (socket) => {
          socket.on('echo', (value: unknown, ack: (reply: unknown) => void) => ack(value));
        });
      },
    });
    await expectServed(await connectAs(server.url, await signToken({ sub: 'alice', sid: 'A' })));
    // One read, sent before the slow check began, and decided after it.
    expect(events).toEqual(['read', 'slow check']);
    await logout.revokeUser('alice');
    await expectRefused(server.url, await signToken({ sub: 'alice', sid: 'A' }));
  });

  it('revokeIssuedBefore picks the older tokens on every node by their iat', async () => {
    const ids = isolation();
    const a = await startNode(ids);
    const b = await startNode(ids);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const old = await signToken({ sub: 'alice', sid: 'old', iat: nowSeconds - 300 });
    const recent = await signToken({ sub: 'alice', sid: 'recent', iat: nowSeconds - 5 });
    const oldOnB = await connectAs(b.server.url, old);
    const recentOnB = await connectAs(b.server.url, recent);
    const recentOnA = await connectAs(a.server.url, recent);
    const quiet = Promise.all([
      expectSilence(recentOnA, 'portcullis:disconnect', 800),
      expectSilence(recentOnB, 'portcullis:disconnect', 800),
    ]);
    const cut = cutAfter(oldOnB, performance.now());
    await a.logout.revokeIssuedBefore('alice', (nowSeconds - 60) * 1000);
    await Promise.all([cut, quiet]);
    await expectRefused(a.server.url, old);
    await expectServed(await connectAs(a.server.url, recent));
  });

  it('revokes from a process without Socket.io, through @socket.io/redis-emitter', async () => {
    const ids = isolation();
    const a = await startNode(ids);
    const b = await startNode(ids);
    // The "other process": an emitter and a denylist on its own Redis connections.
    const revoker = createRevoker({
      target: new Emitter(redisClient(), { key: ids.adapterKey }),
      denylist: createDenylist({
        store: redisDenylistStore(await readyRedisClient(), { prefix: ids.prefix }),
      }),
    });
    const laptop = await signToken({ sub: 'alice', sid: 'laptop' });
    const phone = await signToken({ sub: 'alice', sid: 'phone' });
    const laptopOnA = await connectAs(a.server.url, laptop);
    const phoneOnA = await connectAs(a.server.url, phone);
    const phoneOnB = await connectAs(b.server.url, phone);
    const laptopQuiet = expectSilence(laptopOnA, 'portcullis:disconnect', 800);
    const start = performance.now();
    const cuts = Promise.all([cutAfter(phoneOnA, start), cutAfter(phoneOnB, start)]);
    await revoker.revokeUser('alice', { exceptSession: 'laptop' }); // "log out my other devices"
    await Promise.all([cuts, laptopQuiet]);
    await expectServed(laptopOnA);
    await expectRefused(b.server.url, phone);
    await expectServed(await connectAs(b.server.url, laptop));

    // Each node picks its own sockets by their iat, so the emitter can cut by issue time
    // too: a token issued a minute ago goes, one issued after the cutoff stays.
    const nowSeconds = Math.floor(Date.now() / 1000);
    const older = await signToken({ sub: 'carol', iat: nowSeconds - 120 });
    const newer = await signToken({ sub: 'carol', iat: nowSeconds - 10 });
    const olderOnB = await connectAs(b.server.url, older);
    const newerOnA = await connectAs(a.server.url, newer);
    const newerQuiet = expectSilence(newerOnA, 'portcullis:disconnect', 800);
    const olderCut = cutAfter(olderOnB, performance.now());
    await revoker.revokeIssuedBefore('carol', (nowSeconds - 60) * 1000);
    await Promise.all([olderCut, newerQuiet]);
    await expectServed(newerOnA);
  });

  it('an HTTP logout route calls revokeUser: every socket of the user closes', async () => {
    const ids = isolation();
    const a = await startNode(ids);
    const b = await startNode(ids);
    const revoker = createRevoker({
      target: new Emitter(redisClient(), { key: ids.adapterKey }),
      denylist: createDenylist({
        store: redisDenylistStore(await readyRedisClient(), { prefix: ids.prefix }),
      }),
    });
    // The application's HTTP server: POST /logout with the bearer token.
    const secret = new TextEncoder().encode('logout-revoke-test-secret-0123456789abcdef');
    const app: HttpServer = createHttpServer((req, res) => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/logout') return res.writeHead(404).end();
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        try {
          const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
          await revoker.revokeUser(String(payload.sub));
          res.writeHead(204).end();
        } catch {
          res.writeHead(401).end();
        }
      })();
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => app.close(() => resolve())));
    const { port } = app.address() as AddressInfo;

    const token = await signToken({ sub: 'alice', sid: 'web' });
    const onA = await connectAs(a.server.url, token);
    const onB = await connectAs(b.server.url, await signToken({ sub: 'alice', sid: 'app' }));
    const start = performance.now();
    const cuts = Promise.all([cutAfter(onA, start), cutAfter(onB, start)]);
    const response = await fetch(`http://127.0.0.1:${port}/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(204);
    await cuts;
    await expectRefused(b.server.url, token);
  });

  it("checks a handshake with one Redis read: what came meanwhile is in the node's log", async () => {
    const ids = isolation();
    const a = await startNode(ids);
    const commands: string[] = [];
    const call = a.store.call.bind(a.store);
    a.store.call = ((command: string, ...args: (string | number)[]) => {
      commands.push(command);
      return call(command, ...args);
    }) as typeof a.store.call;
    const client = await connectAs(
      a.server.url,
      await signToken({ sub: 'alice', sid: 'S', jti: 'J' }),
    );
    await expectServed(client);
    expect(commands).toEqual(['MGET']);
  });

  it('works with a node-redis client, keys expiring with the tokens', async () => {
    const ids = isolation();
    const client = createNodeRedisClient({ url: testRedisUrl() });
    client.on('error', () => undefined);
    await client.connect();
    onCleanup(async () => {
      await client.close();
    });
    const denylist = createDenylist({ store: redisDenylistStore(client, { prefix: ids.prefix }) });
    const logout = logoutRevokeGuard({ denylist });
    const server = await startServer({
      setup(io) {
        io.use(testAuthentication());
        logout.install(io);
      },
    });
    const token = await signToken({ sub: 'alice', jti: 'token-1' });
    const socket = await connectAs(server.url, token);
    const cut = cutAfter(socket, performance.now());
    await logout.revokeToken('token-1', Date.now() + 30_000);
    await cut;
    await expectRefused(server.url, token);
    const keys = await client.keys(`${ids.prefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('token-1'); // stored as a digest
    const ttl = await client.pTTL(keys[0] as string);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('a logout while Redis is down still cuts the sockets, and reports the failed write', async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const denylist = createDenylist({
      store: redisDenylistStore(await readyRedisClient(own.url), { prefix: 'outage:' }),
    });
    const logout = logoutRevokeGuard({ denylist });
    // The adapter's clients never fail a command (the adapter does not catch its
    // publishes): they wait in the offline queue until Redis is back.
    const pub = redisClient(own.url, { maxRetriesPerRequest: null });
    const sub = redisClient(own.url, { maxRetriesPerRequest: null });
    const server = await startServer({
      setup(io) {
        io.adapter(createAdapter(pub, sub, { key: isolation().adapterKey }));
        io.use(testAuthentication());
        logout.install(io);
      },
    });
    const token = await signToken({ sub: 'alice', sid: 'S' });
    const alice = await connectAs(server.url, token);
    const bob = await connectAs(server.url, await signToken({ sub: 'bob' }));
    await own.stop();
    await delay(100);
    const cut = cutAfter(alice, performance.now());
    // The caller learns the denylist was not written (and can retry it)…
    await expect(logout.revokeUser('alice')).rejects.toThrow();
    // …but the user is logged out of what is open now, and cannot come back during the
    // outage: the handshake check fails closed.
    await cut;
    expect(bob.connected).toBe(true);
    const again = await expectConnectError(server.url, { auth: { token } });
    expect(again.data).toMatchObject({ code: 'INTERNAL', retryable: true });
  });

  /** Two servers on one denylist store in `url`: one per `onStoreError` policy. */
  async function outageServers(url: string, storeTimeoutMs?: number) {
    const events: SecurityEvent[] = [];
    const bus = new SecurityEventBus();
    bus.on((event) => {
      events.push(event);
    });
    const start = async (onStoreError: 'deny' | 'allow') => {
      const store = redisDenylistStore(await readyRedisClient(url), {
        prefix: 'outage:',
        ...(storeTimeoutMs === undefined ? {} : { storeTimeoutMs }),
      });
      const logout = logoutRevokeGuard({ denylist: createDenylist({ store }), onStoreError });
      return startServer({
        setup(io) {
          configurePortcullis(io, { bus });
          io.use(testAuthentication());
          logout.install(io);
          io.on('connection', (socket) =>
            socket.on('echo', (value: unknown, ack: (reply: unknown) => void) => ack(value)),
          );
        },
      });
    };
    return { closed: await start('deny'), open: await start('allow'), events };
  }

  const allowedWarning = expect.objectContaining({
    type: 'warning',
    guard: 'logout-revoke',
    detail: { reason: 'store_unavailable', policy: 'allow' },
  });

  it("fails closed when Redis is down (INTERNAL), or open with onStoreError: 'allow'", async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const { closed, open, events } = await outageServers(own.url);
    const token = await signToken({ sub: 'alice', sid: 'S' });
    const connectedBefore = await connectAs(closed.url, token);
    // Served once: its packets are held until the denylist re-read after joining its
    // revocation index answered, so that read is done before Redis goes away (with
    // onStoreError 'deny', a re-read that fails would rightly cut it).
    await expectServed(connectedBefore);
    await own.stop();
    await delay(100);
    const refused = await expectConnectError(closed.url, { auth: { token } });
    expect(refused.data).toMatchObject({ code: 'INTERNAL', retryable: true });
    await expectServed(connectedBefore); // the server keeps serving everyone else
    await expectServed(await connectAs(open.url, token));
    expect(events).toContainEqual(allowedWarning);
  });

  it('a denylist read that Redis does not answer in storeTimeoutMs follows onStoreError', async () => {
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const { closed, open, events } = await outageServers(own.url, 200);
    const token = await signToken({ sub: 'alice', sid: 'S' });
    await expectServed(await connectAs(closed.url, token));
    // Redis is up and connected, but answers nobody for a while (a stalled or
    // overloaded server). Without a deadline the handshake would wait it out, then pass.
    const admin = await readyRedisClient(own.url);
    await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
    const refused = await expectConnectError(closed.url, { auth: { token } });
    expect(refused.data).toMatchObject({ code: 'INTERNAL', retryable: true });
    await expectServed(await connectAs(open.url, token));
    expect(events).toContainEqual(allowedWarning);
  });
});
