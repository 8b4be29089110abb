import type { Server as HttpServer } from 'node:http';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { revocationIndexOf, type Portcullis } from 'portcullis';
import type { ServerStats } from '../protocol';
import type { AppCounters } from './chat-app';

export interface StatsSources {
  io: Server;
  http: HttpServer;
  guards: Portcullis;
  counters: AppCounters;
  securityEvents: ReadonlyMap<string, number>;
  redisClients: Readonly<Record<string, Redis>>;
  /** Run a full GC first (the process must run with --expose-gc). */
  gc?: boolean | undefined;
}

const started = Date.now();

async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the server with --expose-gc to measure the heap');
  // Twice, with a turn of the event loop between: objects freed by the first pass's
  // finalizers (WeakRefs, FinalizationRegistry) go in the second.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

function countByKind(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Everything a leak would show in: memory, handles, sockets, rooms, guard state. */
export async function collectStats(sources: StatsSources): Promise<ServerStats> {
  const { io, http, guards, counters, securityEvents, redisClients } = sources;
  if (sources.gc === true) await fullGc();
  const httpConnections = await new Promise<number>((resolve) =>
    http.getConnections((error, count) => resolve(error ? -1 : count)),
  );
  const main = io.of('/');
  const rateLimit = guards.rateLimit;
  const rateLimitKeys =
    (rateLimit?.connections.trackedKeys() ?? 0) +
    (rateLimit?.userConnections.trackedKeys() ?? 0) +
    (rateLimit?.messages?.trackedKeys() ?? 0);
  return {
    pid: process.pid,
    uptimeMs: Date.now() - started,
    memory: process.memoryUsage(),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    activeResources: countByKind(process.getActiveResourcesInfo()),
    engineClients: io.engine.clientsCount,
    sockets: main.sockets.size,
    rooms: main.adapter.rooms.size,
    socketRooms: main.adapter.sids.size,
    httpConnections,
    connectionLimit: guards.connectionLimit?.stats(),
    rateLimitKeys,
    revocationUsers: revocationIndexOf(io).users,
    securityEvents: Object.fromEntries(securityEvents),
    app: { ...counters },
    redis: Object.fromEntries(
      Object.entries(redisClients).map(([name, client]) => [name, client.status]),
    ),
  };
}
