import { randomUUID } from 'node:crypto';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startRedisCluster,
  waitFor,
  type OwnRedisCluster,
} from '@portcullis/testing';
import {
  createDenylist,
  redisDenylistStore,
  redisReplayStore,
  redisRoomRevocations,
  type PortcullisOptions,
} from 'portcullis';
import { ORIGIN, honest, presetServer, token } from './helpers';

/**
 * Every Redis store of the preset against a real Redis Cluster of three masters: each
 * script and command must keep its keys in one hash slot, or the cluster answers
 * CROSSSLOT and the guard would fail (or fail open). Run with distinct users and ids so
 * keys spread over the masters.
 */
describe('the preset on a Redis Cluster of three masters', () => {
  let cluster: OwnRedisCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const clusterOptions = (prefix: string): Partial<PortcullisOptions> => {
    const redis = cluster.client;
    return {
      rateLimit: {
        redis,
        keyPrefix: `${prefix}:rl`,
        insurance: false,
        onStoreError: 'deny',
        messages: { perUser: [{ points: 3, durationMs: 10_000 }], perSocket: false },
      },
      // The cluster-wide cap (2) is below this node's (5): a third socket is refused by Redis.
      connectionLimit: {
        redis,
        keyPrefix: `${prefix}:cl`,
        maxPerUser: 5,
        clusterMaxPerUser: 2,
        onStoreError: 'deny',
      },
      logoutRevoke: {
        denylist: createDenylist({ store: redisDenylistStore(redis, { prefix: `${prefix}:dl:` }) }),
      },
      replay: {
        events: { 'vote:cast': true },
        store: redisReplayStore(redis, { prefix: `${prefix}:rp:` }),
      },
      rooms: {
        rules: { 'doc:*': () => true },
        events: true,
        revocations: redisRoomRevocations(redis, { prefix: `${prefix}:rooms:` }),
      },
    };
  };

  const ack = (socket: Parameters<typeof emitWithAck>[0], event: string, payload: unknown) =>
    emitWithAck(socket, event, payload) as Promise<{ ok?: boolean; error?: { code: string } }>;

  it('limits, caps, revokes, refuses replays and room revocations with keys in one slot each', async () => {
    const prefix = `cluster-${randomUUID().slice(0, 8)}`;
    const { server, guards } = await presetServer(clusterOptions(prefix), (io) =>
      io.on('connection', (socket) => {
        socket.on('chat:send', (_message: unknown, reply?: (value: unknown) => void) =>
          reply?.({ ok: true }),
        );
        socket.on('vote:cast', (_vote: unknown, reply?: (value: unknown) => void) =>
          reply?.({ ok: true }),
        );
      }),
    );

    // Several users, so their keys fall in different slots (and masters).
    const users = ['ada', 'brian', 'chloe', 'dmitri', 'erin', 'farid'];
    for (const user of users) {
      const socket = await connectClient(server.url, await honest(user));
      const answers = [];
      for (let index = 0; index < 4; index++) {
        answers.push((await ack(socket, 'chat:send', { text: 'hi' })).error?.code ?? 'ok');
      }
      // Per-user window in Redis: 3 per 10 s.
      expect([user, answers]).toEqual([user, ['ok', 'ok', 'ok', 'RATE_LIMITED']]);
    }

    // The per-user connection cap, held as a lease in Redis.
    const grace = await token('grace');
    const first = await connectClient(server.url, {
      auth: { token: grace },
      extraHeaders: { origin: ORIGIN },
    });
    await connectClient(server.url, { auth: { token: grace }, extraHeaders: { origin: ORIGIN } });
    const third = await expectConnectError(server.url, {
      auth: { token: grace },
      extraHeaders: { origin: ORIGIN },
    });
    expect(third.data?.code).toBe('CONNECTION_LIMIT');

    // Replays: SET NX PX, one key per id.
    const vote = { choice: 'a', messageId: randomUUID(), sentAt: Date.now() };
    expect(await ack(first, 'vote:cast', vote)).toEqual({ ok: true });
    expect((await ack(first, 'vote:cast', vote)).error?.code).toBe('REPLAYED');

    // Rooms: a join, then a revocation remembered in the cluster.
    expect(await ack(first, 'room:join', 'doc:1')).toMatchObject({ ok: true });
    const left = waitFor(first, 'portcullis:room-left');
    await guards.rooms?.revokeRoom('grace', 'doc:1');
    await left;

    // Logout: the denylist entry is read back at the next handshake.
    const cut = waitFor(first, 'portcullis:disconnect');
    await guards.revocation?.revokeUser('grace');
    expect((await cut)[0]).toMatchObject({ code: 'SESSION_REVOKED' });
    const refused = await expectConnectError(server.url, {
      auth: { token: grace },
      extraHeaders: { origin: ORIGIN },
    });
    expect(refused.data?.code).toBe('SESSION_REVOKED');

    // The keys are spread over the masters, and none of them is empty of ours.
    const masters = cluster.client.nodes('master');
    expect(masters).toHaveLength(3);
    const ours = await Promise.all(
      masters.map(async (node) => ((await node.keys(`*${prefix}*`)) as string[]).length),
    );
    expect(ours.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);

    // The server goes first: its sockets' leases and windows are given back to Redis
    // while the cluster still answers.
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }, 60_000);
});
