import { waitFor } from '@portcullis/testing';
import { connectAs, limitedServer, refusedAs, waitUntil } from './helpers';

describe('connection-limit: caps on this node', () => {
  it('caps the total and lets the next one in once a place is free', async () => {
    const { server, guard } = await limitedServer({ maxConnections: 3, softLimit: false });
    const clients = [];
    for (let index = 0; index < 3; index++) {
      clients.push(await connectAs(server.url, { ip: `10.0.0.${index + 1}` }));
    }
    const error = await refusedAs(server.url, { ip: '10.0.0.9', user: 'alice' });
    expect(error.data).toEqual({
      code: 'CONNECTION_LIMIT',
      message: 'The server is at capacity; retry later.',
      retryable: true,
      retryAfterMs: 5000,
      info: { limit: 'total' },
    });
    clients[0]?.disconnect();
    await waitUntil(
      () => guard.stats().connections === 2,
      () => guard.stats(),
    );
    await connectAs(server.url, { ip: '10.0.0.9' });
    expect(guard.stats()).toMatchObject({ connections: 3, pending: 0 });
  });

  it('caps connections per IP', async () => {
    const { server } = await limitedServer({ maxPerIp: 2 });
    await connectAs(server.url, { ip: '10.0.0.1' });
    await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    const error = await refusedAs(server.url, { ip: '10.0.0.1', user: 'bob' });
    expect(error.data).toMatchObject({ code: 'CONNECTION_LIMIT', info: { limit: 'ip', max: 2 } });
    await connectAs(server.url, { ip: '10.0.0.2' });
  });

  it('keys IPv6 clients by their /64, so rotating addresses does not escape the cap', async () => {
    const { server, guard } = await limitedServer({ maxPerIp: 1 });
    await connectAs(server.url, { ip: '2001:db8:0:1::1' });
    const error = await refusedAs(server.url, { ip: '2001:db8:0:1::beef' });
    expect(error.data).toMatchObject({ info: { limit: 'ip' } });
    await connectAs(server.url, { ip: '2001:db8:0:2::1' });
    expect(guard.stats().ips).toBe(2);
  });

  it('caps connections per authenticated user and refuses the new one by default', async () => {
    const { server, guard } = await limitedServer({ maxPerUser: 2 });
    await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    await connectAs(server.url, { ip: '10.0.0.2', user: 'alice' });
    const error = await refusedAs(server.url, { ip: '10.0.0.3', user: 'alice' });
    expect(error.data).toMatchObject({
      code: 'CONNECTION_LIMIT',
      retryable: true,
      info: { limit: 'user', max: 2 },
    });
    await connectAs(server.url, { ip: '10.0.0.3', user: 'bob' });
    // Anonymous connections have no per-user count.
    await connectAs(server.url, { ip: '10.0.0.4' });
    await connectAs(server.url, { ip: '10.0.0.4' });
    await connectAs(server.url, { ip: '10.0.0.4' });
    expect(guard.stats()).toMatchObject({ connections: 6, users: 2 });
  });

  it("disconnects the user's oldest socket with disconnect-oldest, telling it why", async () => {
    const { server, guard, bus } = await limitedServer({
      maxPerUser: 2,
      perUserPolicy: 'disconnect-oldest',
    });
    const forced: string[] = [];
    bus.on((event) => {
      if (event.type === 'forced_disconnect') forced.push(`${event.userId}:${event.code}`);
    });
    const oldest = await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    const middle = await connectAs(server.url, { ip: '10.0.0.2', user: 'alice' });
    const told = waitFor(oldest, 'portcullis:disconnect');
    const gone = waitFor(oldest, 'disconnect');
    const newest = await connectAs(server.url, { ip: '10.0.0.3', user: 'alice' });
    expect((await told)[0]).toEqual({
      code: 'CONNECTION_LIMIT',
      message: 'This connection was replaced by a newer one of the same user.',
      retryable: false,
      info: { limit: 'user' },
    });
    expect((await gone)[0]).toBe('io server disconnect');
    expect(middle.connected && newest.connected).toBe(true);
    expect(forced).toEqual(['alice:CONNECTION_LIMIT']);
    expect(guard.stats()).toMatchObject({ connections: 2, users: 1 });
    expect(await middle.timeout(5000).emitWithAck('ping')).toBe('pong');
  });
});

describe('connection-limit: graceful degradation above the soft limit', () => {
  it('refuses anonymous connections and crowded IPs first, so known users still get in', async () => {
    const { server, guard } = await limitedServer({
      maxConnections: 10,
      softLimit: 4,
      softMaxPerIp: 2,
      maxPerIp: 5,
    });
    // Below the soft limit anyone gets in: two from one IP, two from others.
    await connectAs(server.url, { ip: '10.0.0.9' });
    await connectAs(server.url, { ip: '10.0.0.9' });
    await connectAs(server.url, { ip: '10.0.0.1' });
    await connectAs(server.url, { ip: '10.0.0.2' });
    expect(guard.stats().connections).toBe(4);

    const anonymous = await refusedAs(server.url, { ip: '10.0.0.5' });
    expect(anonymous.data).toMatchObject({ code: 'CONNECTION_LIMIT', info: { limit: 'soft' } });
    const crowded = await refusedAs(server.url, { ip: '10.0.0.9', user: 'mallory' });
    expect(crowded.data).toMatchObject({ info: { limit: 'soft' } });

    await connectAs(server.url, { ip: '10.0.0.6', user: 'alice' });
    await connectAs(server.url, { ip: '10.0.0.1', user: 'bob' });
    expect(guard.stats()).toMatchObject({ connections: 6, users: 2 });
  });
});
