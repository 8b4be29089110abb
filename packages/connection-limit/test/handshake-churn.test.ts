import { describeRedis, emitWithAck } from '@portcullis/testing';
import type { ClientSocket } from '@portcullis/testing';
import type { ConnectionLimitGuardOptions, PerUserPolicy } from '../src';
import { twoNodes } from './cluster-helpers';
import {
  connectAs,
  createAs,
  killTransport,
  laterGuard,
  limitedServer,
  refusedAs,
  waitUntil,
  type LaterGuard,
  type LimitedServer,
} from './helpers';

/**
 * Handshakes that pass this guard and then fail (refused by a later guard, or the client
 * gone mid-handshake) must give back every place they took, and evict nobody. The caps
 * are tight, so a single leaked place refuses the next wave: the loops are bounded (20
 * waves of 10 handshakes on loopback), each wave waits for its own end, and a leak fails
 * the test instead of hanging it.
 */

const USERS = 10;
const WAVES = 20;
const CHURN_IP = '10.9.9.9';

/** Per-user caps so that each churning handshake reaches the later guard. */
const policies: readonly [PerUserPolicy, number][] = [
  // The user is below the cap: the newcomer is simply counted.
  ['refuse-new', 2],
  // The user is at the cap: the newcomer sets the user's socket aside to replace it.
  ['disconnect-oldest', 1],
];

function tightCaps(perUserPolicy: PerUserPolicy, maxPerUser: number): ConnectionLimitGuardOptions {
  return {
    // The live sockets plus one wave: a leaked place refuses part of the next wave.
    maxConnections: USERS * 2,
    softLimit: false,
    maxPerIp: USERS,
    maxPerUser,
    perUserPolicy,
  };
}

/** One live socket per user, each from its own IP; counts what they are told. */
async function liveUsers(url: string): Promise<{ clients: ClientSocket[]; told: unknown[] }> {
  const told: unknown[] = [];
  const clients: ClientSocket[] = [];
  for (let index = 0; index < USERS; index++) {
    const client = await connectAs(url, { ip: `10.0.1.${index + 1}`, user: `user-${index}` });
    client.on('portcullis:disconnect', (data: unknown) => told.push(data));
    clients.push(client);
  }
  return { clients, told };
}

async function refusedWaves(url: string): Promise<void> {
  for (let wave = 0; wave < WAVES; wave++) {
    const errors = await Promise.all(
      Array.from({ length: USERS }, (_, index) =>
        refusedAs(url, { ip: CHURN_IP, user: `user-${index}`, token: 'revoked' }),
      ),
    );
    for (const error of errors) expect(error.data?.code).toBe('SESSION_REVOKED');
  }
}

async function droppedWaves(url: string, later: LaterGuard, limited: LimitedServer): Promise<void> {
  for (let wave = 0; wave < WAVES; wave++) {
    const clients = Array.from({ length: USERS }, (_, index) =>
      createAs(url, { ip: CHURN_IP, user: `user-${index}`, token: 'held' }),
    );
    await later.holding(USERS);
    later.held.length = 0;
    for (const client of clients) killTransport(client);
    await waitUntil(
      () => limited.guard.stats().pending === 0,
      () => limited.guard.stats(),
    );
  }
}

async function expectUntouched(
  limited: LimitedServer,
  live: { clients: ClientSocket[]; told: unknown[] },
) {
  expect(live.told).toEqual([]);
  for (const client of live.clients) {
    expect(client.connected).toBe(true);
    expect(await emitWithAck(client, 'ping')).toBe('pong');
  }
  expect(limited.guard.stats()).toMatchObject({
    connections: USERS,
    pending: 0,
    users: USERS,
    ips: USERS,
  });
  // Every place is free again: a full wave from the churning IP gets in.
  for (let index = 0; index < USERS; index++) {
    await connectAs(limited.server.url, { ip: CHURN_IP });
  }
}

describe('connection-limit: no place leaks over many failed handshakes', () => {
  it.each(policies)(
    '%s: 200 handshakes refused by a later guard',
    async (perUserPolicy, maxPerUser) => {
      const later = laterGuard();
      const limited = await limitedServer(tightCaps(perUserPolicy, maxPerUser), {
        after: later.middleware,
      });
      const live = await liveUsers(limited.server.url);
      await refusedWaves(limited.server.url);
      await waitUntil(
        () => limited.guard.stats().pending === 0,
        () => limited.guard.stats(),
      );
      await expectUntouched(limited, live);
    },
    60_000,
  );

  it.each(policies)(
    '%s: 200 clients dropping mid-handshake',
    async (perUserPolicy, maxPerUser) => {
      const later = laterGuard();
      const limited = await limitedServer(tightCaps(perUserPolicy, maxPerUser), {
        after: later.middleware,
      });
      const live = await liveUsers(limited.server.url);
      await droppedWaves(limited.server.url, later, limited);
      await expectUntouched(limited, live);
    },
    60_000,
  );
});

describeRedis('connection-limit: no place leaks in Redis over many failed handshakes', () => {
  it.each(policies)(
    '%s: 200 refused and 200 dropped handshakes',
    async (perUserPolicy, maxPerUser) => {
      const later = laterGuard();
      const { a, b, socketIdsInRedis } = await twoNodes(
        { ...tightCaps(perUserPolicy, maxPerUser), clusterMaxPerUser: maxPerUser },
        { after: later.middleware },
      );
      const live = await liveUsers(a.server.url);
      await refusedWaves(a.server.url);
      await droppedWaves(a.server.url, later, a);
      await waitUntil(
        () => a.guard.stats().clusterEntries === USERS,
        () => a.guard.stats(),
      );
      // Redis holds exactly the live sockets: none of the failed ones, none set aside.
      for (let index = 0; index < USERS; index++) {
        expect(await socketIdsInRedis(`user-${index}`)).toEqual([live.clients[index]?.id]);
      }
      // The other node sees each user at the cap only where the cap is one socket.
      const other = await refusedAs(b.server.url, { user: 'user-0', token: 'revoked' });
      expect(other.data?.code).toBe(maxPerUser === 1 ? 'CONNECTION_LIMIT' : 'SESSION_REVOKED');
      await expectUntouched(a, live);
    },
    90_000,
  );
});
