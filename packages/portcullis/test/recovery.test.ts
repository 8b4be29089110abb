import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import { createDenylist, redisDenylistStore } from '@portcullis/logout-revoke';
import {
  connectClient,
  createClient,
  delay,
  describeRedis,
  emitWithAck,
  expectConnectError,
  readyIoredis,
  startServer,
  testRedisUrl,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import {
  portcullis,
  secureServerOptions,
  type Portcullis,
  type PortcullisOptions,
} from 'portcullis';
import { ORIGIN, baseOptions, token } from './helpers';

interface Recorded {
  id: string;
  recovered: boolean;
}

/** The preset on a server with connection state recovery (skipMiddlewares: its default). */
async function recoveringServer(options: Partial<PortcullisOptions> = {}) {
  const connected: Recorded[] = [];
  const handled: string[] = [];
  let guards: Portcullis | undefined;
  const server = await startServer<Server>({
    serverOptions: {
      ...secureServerOptions({ origins: [ORIGIN] }),
      connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
    },
    setup(io) {
      guards = portcullis(io, { ...baseOptions(), ...options } as PortcullisOptions);
      io.on('connection', (socket) => {
        connected.push({ id: socket.id, recovered: socket.recovered });
        socket.on('work', (value: string, ack?: (reply: unknown) => void) => {
          handled.push(value);
          ack?.({ ok: true });
        });
      });
    },
  });
  if (guards === undefined) throw new Error('portcullis() did not run');
  return { server, guards, connected, handled };
}

/** Connects, receives one broadcast (recovery needs an offset), and saves the session. */
async function connectWithSession(
  server: { io: Server; url: string },
  auth: Record<string, unknown>,
): Promise<{ client: ClientSocket; saved: { pid: string; offset: string } }> {
  const client = await connectClient(server.url, { auth, extraHeaders: { origin: ORIGIN } });
  const tick = waitFor(client, 'tick');
  server.io.emit('tick');
  await tick;
  const internals = client as unknown as { _pid?: string; _lastOffset?: string };
  if (internals._pid === undefined || internals._lastOffset === undefined) {
    throw new Error('no recoverable session');
  }
  const saved = { pid: internals._pid, offset: internals._lastOffset };
  // A lost transport, not a deliberate disconnect: the server keeps the session.
  client.io.engine.close();
  await delay(50);
  return { client, saved };
}

/** A new client asking for a saved session back, with the given token. */
function restore(
  server: { url: string },
  saved: { pid: string; offset: string },
  jwt: string,
): ClientSocket {
  return createClient(server.url, {
    auth: { ...saved, token: jwt },
    extraHeaders: { origin: ORIGIN },
  });
}

describe('connection state recovery under the preset', () => {
  it('holds a recovered socket of a revoked user until the checks cut it: no packet is handled', async () => {
    const { server, guards, connected, handled } = await recoveringServer();
    const jwt = await token('rita');
    const { saved } = await connectWithSession(server, { token: jwt });
    await guards.revocation?.revokeUser('rita'); // while she is away
    const back = restore(server, saved, jwt);
    const notice = waitFor(back, 'portcullis:disconnect');
    back.on('connect', () => {
      for (let index = 0; index < 20; index++) back.emit('work', `sneaky ${index}`);
    });
    const [payload] = await notice;
    expect(payload).toMatchObject({ code: 'SESSION_REVOKED' });
    expect(connected[1]).toMatchObject({ recovered: true });
    await delay(200);
    expect(handled).toEqual([]);
  });

  it('restores one saved session once: the second copy goes through the handshake and is refused', async () => {
    const { server, guards, connected, handled } = await recoveringServer();
    const jwt = await token('sam');
    const { saved } = await connectWithSession(server, { token: jwt });
    const first = restore(server, saved, jwt);
    await waitFor(first, 'connect');
    expect(connected[1]).toEqual({ id: connected[0]?.id, recovered: true });
    expect(await emitWithAck(first, 'work', 'first copy')).toEqual({ ok: true });

    // The same saved session asked for again, with no token: a fresh handshake, refused.
    const copy = await expectConnectError(server.url, {
      auth: { ...saved },
      extraHeaders: { origin: ORIGIN },
    });
    expect(copy.data?.code).toBe('AUTH_REQUIRED');
    expect(connected).toHaveLength(2);

    // Revocation then reaches every live socket of the user: there is only one.
    const cut = waitFor(first, 'portcullis:disconnect');
    await guards.revocation?.revokeUser('sam');
    expect((await cut)[0]).toMatchObject({ code: 'SESSION_REVOKED' });
    expect(handled).toEqual(['first copy']);
  });

  it('counts recoveries against the connection rate limits', async () => {
    const { server, connected } = await recoveringServer({
      rateLimit: { connections: { perUser: { points: 2, durationMs: 60_000 } } },
    });
    const jwt = await token('ursula');
    let { saved } = await connectWithSession(server, { token: jwt }); // attempt 1
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const back = restore(server, saved, jwt);
      const outcome = await Promise.race([
        waitFor(back, 'portcullis:disconnect').then(
          ([payload]) => (payload as { code: string }).code,
        ),
        waitFor(back, 'connect_error').then(
          ([error]) => (error as { data?: { code?: string } }).data?.code ?? 'refused',
        ),
        waitFor(back, 'connect')
          .then(() => delay(300))
          .then(() => (back.connected ? 'connected' : 'cut')),
      ]);
      outcomes.push(outcome);
      if (outcome !== 'connected') break;
      const tick = waitFor(back, 'tick');
      server.io.emit('tick');
      await tick;
      const internals = back as unknown as { _pid: string; _lastOffset: string };
      saved = { pid: internals._pid, offset: internals._lastOffset };
      back.io.engine.close();
      await delay(50);
    }
    // One recovery fits the limit of 2 handshakes a minute; the next one is cut.
    expect(outcomes).toEqual(['connected', 'RATE_LIMITED']);
    expect(connected.filter((entry) => entry.recovered)).toHaveLength(2);
  });

  it('a revoked token never evicts the real user: revocation runs before the connection caps', async () => {
    const { server, guards } = await recoveringServer({
      connectionLimit: { maxPerUser: 1, perUserPolicy: 'disconnect-oldest' },
    });
    const stolen = await token('victor', { sid: 'stolen-device' });
    await guards.revocation?.revokeSession('stolen-device');
    const real = await connectClient(server.url, {
      auth: { token: await token('victor', { sid: 'laptop' }) },
      extraHeaders: { origin: ORIGIN },
    });
    const refused = await expectConnectError(server.url, {
      auth: { token: stolen },
      extraHeaders: { origin: ORIGIN },
    });
    expect(refused.data?.code).toBe('SESSION_REVOKED');
    await delay(100);
    expect(real.connected).toBe(true);
    expect(await emitWithAck(real, 'work', 'still here')).toEqual({ ok: true });
  });
});

describeRedis('connection state recovery under the preset, with a Redis denylist', () => {
  it('a recovered socket of a revoked session does not evict the live one before it is cut', async () => {
    // A Redis denylist answers asynchronously: the recovered socket is connected (and
    // counted) before the re-check cuts it.
    const redis = await readyIoredis(testRedisUrl());
    const prefix = `portcullis-test-${randomUUID().slice(0, 8)}:revoked:`;
    const { server, guards, handled } = await recoveringServer({
      connectionLimit: { maxPerUser: 1, perUserPolicy: 'disconnect-oldest' },
      logoutRevoke: { denylist: createDenylist({ store: redisDenylistStore(redis, { prefix }) }) },
    });
    const phoneToken = await token('wendy', { sid: 'phone' });
    const { saved } = await connectWithSession(server, { token: phoneToken });
    await delay(100); // the phone's socket is gone on the server too
    const laptop = await connectClient(server.url, {
      auth: { token: await token('wendy', { sid: 'laptop' }) },
      extraHeaders: { origin: ORIGIN },
    });
    await guards.revocation?.revokeSession('phone');
    const phone = restore(server, saved, phoneToken);
    const [payload] = await waitFor(phone, 'portcullis:disconnect');
    expect(payload).toMatchObject({ code: 'SESSION_REVOKED' });
    await delay(150);
    expect(laptop.connected).toBe(true);
    expect(await emitWithAck(laptop, 'work', 'laptop')).toEqual({ ok: true });
    expect(handled).toEqual(['laptop']);
  });
});
