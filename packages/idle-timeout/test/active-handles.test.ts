import { usePacketGuards } from '@portcullis/core';
import { connectClient, delay, startServer, type ClientSocket } from '@portcullis/testing';
import type { Server } from 'socket.io';
import { idleTimeoutGuard } from '../src';

const SOCKETS = 1000;
const BATCH = 100;

/** Active resources by type, e.g. `{ Timeout: 2001, TCPSocketWrap: 2000 }`. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

async function connectMany(url: string): Promise<ClientSocket[]> {
  const clients: ClientSocket[] = [];
  for (let start = 0; start < SOCKETS; start += BATCH) {
    const batch = Array.from({ length: BATCH }, () => connectClient(url));
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

async function leaveAll(io: Server, clients: ClientSocket[]): Promise<void> {
  for (const client of clients) client.disconnect();
  for (let tries = 0; tries < 200 && io.of('/').sockets.size > 0; tries++) await delay(25);
}

/** Waits (bounded) until no resource type is above its baseline count. */
async function backToBaseline(baseline: Record<string, number>): Promise<Record<string, number>> {
  let now = activeResources();
  for (let tries = 0; tries < 200; tries++) {
    const above = Object.entries(now).some(([type, count]) => count > (baseline[type] ?? 0));
    if (!above) break;
    await delay(25);
    now = activeResources();
  }
  return now;
}

describe('idleTimeoutGuard with 1,000 sockets', () => {
  it('adds one timer, not one per socket, and leaves nothing behind', async () => {
    const baseline = activeResources();

    // The same load without the guard: what Socket.io and the clients hold themselves.
    const bare = await startServer();
    const bareClients = await connectMany(bare.url);
    const bareTimeouts = activeResources().Timeout ?? 0;
    await leaveAll(bare.io, bareClients);
    await bare.close();

    const guard = idleTimeoutGuard({ idleTimeoutMs: 10 * 60_000, maxConnectionAgeMs: 3_600_000 });
    const guarded = await startServer({ setup: (io) => usePacketGuards(io, guard) });
    const clients = await connectMany(guarded.url);
    const guardedTimeouts = activeResources().Timeout ?? 0;
    expect(guarded.io.of('/').sockets.size).toBe(SOCKETS);
    expect(guard.watchedSockets).toBe(SOCKETS);
    expect(guard.timerCount).toBe(1);
    // One timer for the whole guard (a little slack for unrelated short-lived timers).
    expect(guardedTimeouts - bareTimeouts).toBeLessThan(5);

    await leaveAll(guarded.io, clients);
    expect(guard.watchedSockets).toBe(0);
    expect(guard.timerCount).toBe(0);
    await guarded.close();
    const after = await backToBaseline(baseline);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(baseline.Timeout ?? 0);
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(baseline.TCPSocketWrap ?? 0);
  }, 60_000);
});
