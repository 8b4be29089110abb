import { describeRedis, emitWithAck, expectSilence, waitFor } from '@portcullis/testing';
import type { ClientSocket } from '@portcullis/testing';
import { twoNodes } from './cluster-helpers';
import {
  connectAs,
  createAs,
  killTransport,
  laterGuard,
  limitedServer,
  refusedAs,
  waitUntil,
} from './helpers';

/**
 * `disconnect-oldest` cuts a user's oldest socket only once the newer one has really
 * connected, i.e. every later `io.use` middleware accepted it. A stolen, revoked token
 * refused by the revocation check after this guard must not cost the real user a socket.
 */

const policy = { maxPerUser: 2, perUserPolicy: 'disconnect-oldest' } as const;

/** Collects what the server tells a socket when it cuts it. */
function toldOf(client: ClientSocket): unknown[] {
  const told: unknown[] = [];
  client.on('portcullis:disconnect', (data: unknown) => told.push(data));
  return told;
}

async function expectServed(client: ClientSocket): Promise<void> {
  expect(client.connected).toBe(true);
  expect(await emitWithAck(client, 'ping')).toBe('pong');
}

describe('connection-limit: disconnect-oldest evicts only for a connected newcomer', () => {
  it("keeps the user's sockets when a later guard refuses the newcomer (revoked token)", async () => {
    const later = laterGuard();
    const { server, guard } = await limitedServer(policy, { after: later.middleware });
    const oldest = await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    const middle = await connectAs(server.url, { ip: '10.0.0.2', user: 'alice' });
    const told = toldOf(oldest);

    const error = await refusedAs(server.url, { ip: '10.6.6.6', user: 'alice', token: 'revoked' });
    expect(error.data).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
    await expectSilence(oldest, 'disconnect', 300);
    expect(told).toEqual([]);
    await expectServed(oldest);
    await expectServed(middle);
    expect(guard.stats()).toMatchObject({ connections: 2, pending: 0, users: 1 });

    // An accepted newcomer still makes room, as before.
    const gone = waitFor(oldest, 'disconnect');
    const newest = await connectAs(server.url, { ip: '10.0.0.3', user: 'alice' });
    expect((await gone)[0]).toBe('io server disconnect');
    expect(told).toEqual([
      {
        code: 'CONNECTION_LIMIT',
        message: 'This connection was replaced by a newer one of the same user.',
        retryable: false,
        info: { limit: 'user' },
      },
    ]);
    await expectServed(middle);
    await expectServed(newest);
    expect(guard.stats()).toMatchObject({ connections: 2, pending: 0, users: 1 });
  });

  it('cuts the oldest only when the newcomer connects, not while a later guard decides', async () => {
    const later = laterGuard();
    const { server, guard } = await limitedServer(policy, { after: later.middleware });
    const oldest = await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    await connectAs(server.url, { ip: '10.0.0.2', user: 'alice' });
    const told = toldOf(oldest);

    const newest = createAs(server.url, { ip: '10.0.0.3', user: 'alice', token: 'held' });
    await later.holding(1);
    // The window: the newcomer holds a place, the oldest is still connected and served.
    expect(guard.stats()).toMatchObject({ connections: 2, pending: 1, users: 1 });
    await expectServed(oldest);
    expect(told).toEqual([]);

    const gone = waitFor(oldest, 'disconnect');
    later.held.shift()?.next();
    await waitFor(newest, 'connect');
    await gone;
    expect(told).toMatchObject([{ code: 'CONNECTION_LIMIT' }]);
    expect(guard.stats()).toMatchObject({ connections: 2, pending: 0, users: 1 });
  });

  it('evicts nobody and keeps no place when the newcomer drops mid-handshake', async () => {
    const later = laterGuard();
    const { server, guard } = await limitedServer(policy, { after: later.middleware });
    const oldest = await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    const middle = await connectAs(server.url, { ip: '10.0.0.2', user: 'alice' });
    const told = toldOf(oldest);

    const dropping = createAs(server.url, { ip: '10.0.0.3', user: 'alice', token: 'held' });
    await later.holding(1);
    killTransport(dropping);
    await waitUntil(
      () => guard.stats().pending === 0,
      () => guard.stats(),
    );
    await expectSilence(oldest, 'disconnect', 300);
    expect(told).toEqual([]);
    await expectServed(oldest);
    expect(guard.stats()).toMatchObject({ connections: 2, users: 1, ips: 2 });

    // The oldest is no longer set aside: the next newcomer replaces it, not the middle one.
    const gone = waitFor(oldest, 'disconnect');
    await connectAs(server.url, { ip: '10.0.0.4', user: 'alice' });
    await gone;
    await expectServed(middle);
  });

  it('bounds the window: one newcomer in flight per socket it may replace', async () => {
    const later = laterGuard();
    const { server, guard } = await limitedServer(policy, { after: later.middleware });
    const first = await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    const second = await connectAs(server.url, { ip: '10.0.0.2', user: 'alice' });
    createAs(server.url, { ip: '10.0.0.3', user: 'alice', token: 'held' });
    createAs(server.url, { ip: '10.0.0.4', user: 'alice', token: 'held' });
    await later.holding(2);
    // Both sockets are set aside for a newcomer: a third newcomer has nobody to replace.
    const error = await refusedAs(server.url, { ip: '10.0.0.5', user: 'alice' });
    expect(error.data).toMatchObject({ code: 'CONNECTION_LIMIT', info: { limit: 'user', max: 2 } });
    expect(guard.stats()).toMatchObject({ connections: 2, pending: 2, users: 1 });
    await expectServed(first);
    await expectServed(second);
  });
});

describeRedis('connection-limit: disconnect-oldest with the cluster-wide cap (real Redis)', () => {
  const clusterPolicy = { ...policy, clusterMaxPerUser: 2 };

  it("keeps the user's sockets, and their places in Redis, when a later guard refuses", async () => {
    const later = laterGuard();
    const { a, b, socketIdsInRedis } = await twoNodes(clusterPolicy, { after: later.middleware });
    const oldest = await connectAs(a.server.url, { ip: '10.0.0.1', user: 'alice' });
    const middle = await connectAs(a.server.url, { ip: '10.0.0.2', user: 'alice' });
    const told = toldOf(oldest);
    const held = [oldest.id, middle.id].sort();

    const error = await refusedAs(a.server.url, { user: 'alice', token: 'revoked' });
    expect(error.data).toMatchObject({ code: 'SESSION_REVOKED' });
    await waitUntil(
      () => a.guard.stats().pending === 0,
      () => a.guard.stats(),
    );
    await expectSilence(oldest, 'disconnect', 300);
    expect(told).toEqual([]);
    await expectServed(oldest);
    await expectServed(middle);
    // Redis counts the two live sockets again, so the other node still refuses a third.
    await waitUntil(
      () => a.guard.stats().clusterEntries === 2,
      () => a.guard.stats(),
    );
    expect(await socketIdsInRedis('alice')).toEqual(held);
    expect((await refusedAs(b.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });

    // An accepted newcomer still takes the oldest's place, in Redis too.
    const gone = waitFor(oldest, 'disconnect');
    const newest = await connectAs(a.server.url, { ip: '10.0.0.3', user: 'alice' });
    await gone;
    expect(told).toMatchObject([{ code: 'CONNECTION_LIMIT', retryable: false }]);
    expect(await socketIdsInRedis('alice')).toEqual([middle.id, newest.id].sort());
    expect(a.guard.stats()).toMatchObject({ connections: 2, clusterEntries: 2 });
  });

  it('holds the cap during the window and gives the place back when the newcomer drops', async () => {
    const later = laterGuard();
    const { a, b, socketIdsInRedis } = await twoNodes(clusterPolicy, { after: later.middleware });
    const oldest = await connectAs(a.server.url, { ip: '10.0.0.1', user: 'alice' });
    const middle = await connectAs(a.server.url, { ip: '10.0.0.2', user: 'alice' });
    const told = toldOf(oldest);

    const dropping = createAs(a.server.url, { ip: '10.0.0.3', user: 'alice', token: 'held' });
    await later.holding(1);
    // While the newcomer is in flight the user is still at the cap cluster-wide.
    expect((await refusedAs(b.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });
    killTransport(dropping);
    await waitUntil(
      () => a.guard.stats().pending === 0,
      () => a.guard.stats(),
    );
    await expectSilence(oldest, 'disconnect', 300);
    expect(told).toEqual([]);
    await expectServed(oldest);
    await waitUntil(
      () => a.guard.stats().clusterEntries === 2,
      () => a.guard.stats(),
    );
    expect(await socketIdsInRedis('alice')).toEqual([oldest.id, middle.id].sort());
    expect((await refusedAs(b.server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'cluster-user' },
    });
  });
});
