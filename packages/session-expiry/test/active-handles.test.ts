import { getContext, handshakeGuard, usePacketGuards } from '@portcullis/core';
import { connectClient, delay, startServer, type ClientSocket } from '@portcullis/testing';
import type { Server } from 'socket.io';
import { sessionExpiryGuard } from '../src';

const SOCKETS = 1000;
const BATCH = 100;

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Every socket gets a user whose session expires in an hour (no JWT work: 1,000 sockets). */
const oneHourSession = handshakeGuard('test-user', (socket) => {
  getContext(socket).user = {
    id: socket.id,
    roles: [],
    expiresAt: Date.now() + 3_600_000,
    claims: {},
  };
});

async function connectMany(url: string): Promise<ClientSocket[]> {
  const clients: ClientSocket[] = [];
  for (let start = 0; start < SOCKETS; start += BATCH) {
    clients.push(...(await Promise.all(Array.from({ length: BATCH }, () => connectClient(url)))));
  }
  return clients;
}

async function leaveAll(io: Server, clients: ClientSocket[]): Promise<void> {
  for (const client of clients) client.disconnect();
  for (let tries = 0; tries < 200 && io.of('/').sockets.size > 0; tries++) await delay(25);
}

describe('sessionExpiryGuard with 1,000 sockets', () => {
  it('adds one timer, not one per socket, and leaves nothing behind', async () => {
    const baseline = activeResources();
    const bare = await startServer({ setup: (io) => void io.use(oneHourSession) });
    const bareClients = await connectMany(bare.url);
    const bareTimeouts = activeResources().Timeout ?? 0;
    await leaveAll(bare.io, bareClients);
    await bare.close();

    const guard = sessionExpiryGuard({
      revalidate: () => true,
      onRevalidateError: 'allow',
    });
    const guarded = await startServer({
      setup(io) {
        io.use(oneHourSession);
        usePacketGuards(io, guard);
      },
    });
    const clients = await connectMany(guarded.url);
    const guardedTimeouts = activeResources().Timeout ?? 0;
    expect(guard.watchedSockets).toBe(SOCKETS);
    expect(guard.timerCount).toBe(1);
    expect(guardedTimeouts - bareTimeouts).toBeLessThan(5);

    await leaveAll(guarded.io, clients);
    expect(guard.watchedSockets).toBe(0);
    expect(guard.timerCount).toBe(0);
    await guarded.close();
    let after = activeResources();
    for (let tries = 0; tries < 200; tries++) {
      const above = Object.entries(after).some(([type, count]) => count > (baseline[type] ?? 0));
      if (!above) break;
      await delay(25);
      after = activeResources();
    }
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(baseline.Timeout ?? 0);
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(baseline.TCPSocketWrap ?? 0);
  }, 60_000);
});
