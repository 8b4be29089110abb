import { connectAs, limitedServer, waitUntil } from './helpers';

describe('connection-limit: memory', () => {
  it('returns its maps to empty after 1,000 sockets connect and leave', async () => {
    const { server, guard } = await limitedServer({
      maxConnections: false,
      maxPerIp: false,
      maxPerUser: false,
    });
    const batch = 50;
    const clients = [];
    for (let start = 0; start < 1000; start += batch) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: batch }, (_, offset) => {
            const index = start + offset;
            return connectAs(server.url, {
              ip: `10.${index % 7}.${index % 251}.1`,
              user: index % 2 === 0 ? `user-${(index / 2) % 300}` : undefined,
            });
          }),
        )),
      );
    }
    const full = guard.stats();
    expect(full.connections).toBe(1000);
    expect(full.users).toBe(300);
    expect(full.ips).toBeGreaterThan(100);
    for (const client of clients) client.disconnect();
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
      15_000,
    );
    expect(guard.stats()).toEqual({
      connections: 0,
      pending: 0,
      users: 0,
      ips: 0,
      clusterEntries: 0,
    });
  }, 60_000);
});
