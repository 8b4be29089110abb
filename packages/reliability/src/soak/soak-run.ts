import type { Socket } from 'socket.io-client';
import { RefusedError, openSocket } from '../honest-client';
import { clientAddress } from '../identity';
import type { ChildServerConfig, ServerStats } from '../protocol';
import type { ServerProcess } from '../server-process';

export interface SoakOptions {
  /** Sockets in all, in waves of `waveSize`. */
  sockets: number;
  waveSize: number;
  /** Chat messages each socket sends (one at a time, each with an ack). */
  messagesPerSocket: number;
  /** Sockets per room: each message reaches the others of its room. */
  roomSize: number;
  /** No wave starts after this long. */
  timeLimitMs: number;
  /** Handshakes in flight at once. Default 100. */
  connectConcurrency?: number;
  /**
   * Waves start at least this far apart (a wave that took longer is followed at once),
   * so a run can be spread over a given time. Default 0: back to back.
   */
  waveIntervalMs?: number;
  /** Called after each wave. */
  onWave?: (figures: WaveFigures) => void;
}

export interface WaveFigures {
  readonly wave: number;
  readonly sockets: number;
  readonly seconds: number;
  /** Server counts while the wave was connected. */
  readonly server: ServerStats;
}

export interface SoakReport {
  readonly waves: number;
  readonly sockets: number;
  readonly connected: number;
  /** Refused handshakes, by code. */
  readonly refused: Record<string, number>;
  readonly acks: number;
  readonly failures: number;
  /** The first failures, for the log. */
  readonly failureSamples: readonly string[];
  /** `chat:message` events the sockets received from their rooms. */
  readonly received: number;
  readonly seconds: number;
  readonly peak: { heapUsed: number; rss: number; sockets: number };
}

type Leave = 'disconnect' | 'leave-then-disconnect' | 'cut';
const LEAVES: readonly Leave[] = ['disconnect', 'leave-then-disconnect', 'cut'];

/** Closes the socket's TCP connection without a goodbye, as a crashed client would. */
function cut(socket: Socket): void {
  const transport = (
    socket.io.engine as unknown as { transport?: { ws?: { terminate?: () => void } } }
  ).transport;
  transport?.ws?.terminate?.();
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

/**
 * Sockets connect, join a room, chat and leave, in waves, against a running server:
 * each from an address and as a user of its own, each message acked and broadcast to
 * its room, leaving by a clean disconnect, by leaving the room first, or by a cut
 * connection (a third each).
 */
export async function soak(server: ServerProcess, options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const refused: Record<string, number> = {};
  const failureSamples: string[] = [];
  let failures = 0;
  let acks = 0;
  let received = 0;
  let connected = 0;
  let opened = 0;
  let waves = 0;
  const peak = { heapUsed: 0, rss: 0, sockets: 0 };
  const fail = (message: string): void => {
    failures += 1;
    if (failureSamples.length < 10) failureSamples.push(message);
  };

  while (opened < options.sockets && Date.now() - started < options.timeLimitMs) {
    const wave = ++waves;
    const waveStarted = Date.now();
    const size = Math.min(options.waveSize, options.sockets - opened);
    const indexes = Array.from({ length: size }, (_unused, offset) => opened + offset);
    opened += size;
    const sockets: { socket: Socket; index: number; gone: Promise<void> }[] = [];

    await inBatches(indexes, options.connectConcurrency ?? 100, async (index) => {
      const { socket, connected: handshake } = openSocket(server.url, {
        userId: `soak-${index}`,
        forwardedFor: clientAddress(index + 1),
      });
      try {
        await handshake;
      } catch (error) {
        const code =
          error instanceof RefusedError
            ? String((error.data as { code?: unknown })?.code)
            : String(error);
        refused[code] = (refused[code] ?? 0) + 1;
        return;
      }
      connected += 1;
      socket.on('chat:message', () => {
        received += 1;
      });
      const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      sockets.push({ socket, index, gone });
    });

    const roomOf = (index: number): string =>
      `soak-${wave}-${Math.floor(index / options.roomSize)}`;
    await Promise.all(
      sockets.map(async ({ socket, index }) => {
        try {
          const joined = (await socket.timeout(20_000).emitWithAck('chat:join', roomOf(index))) as {
            ok?: boolean;
          };
          if (joined.ok !== true) fail(`join: ${JSON.stringify(joined)}`);
          for (let message = 0; message < options.messagesPerSocket; message++) {
            const text = `hello ${index}.${message}`;
            const reply = (await socket
              .timeout(20_000)
              .emitWithAck('chat:send', { roomId: roomOf(index), text })) as {
              ok?: boolean;
              text?: string;
            };
            if (reply.ok === true && reply.text === text) acks += 1;
            else fail(`send: ${JSON.stringify(reply)}`);
          }
        } catch (error) {
          fail(error instanceof Error ? error.message : String(error));
        }
      }),
    );

    const stats = await server.stats();
    peak.heapUsed = Math.max(peak.heapUsed, stats.memory.heapUsed);
    peak.rss = Math.max(peak.rss, stats.maxRssBytes);
    peak.sockets = Math.max(peak.sockets, stats.sockets);

    await Promise.all(
      sockets.map(async ({ socket, index, gone }) => {
        const leave = LEAVES[index % LEAVES.length] as Leave;
        if (leave === 'leave-then-disconnect') {
          await socket
            .timeout(20_000)
            .emitWithAck('chat:leave', roomOf(index))
            .catch(() => undefined);
        }
        if (leave === 'cut') cut(socket);
        else socket.disconnect();
        await gone;
      }),
    );
    options.onWave?.({
      wave,
      sockets: size,
      seconds: (Date.now() - waveStarted) / 1000,
      server: stats,
    });
    const rest = (options.waveIntervalMs ?? 0) - (Date.now() - waveStarted);
    if (rest > 0 && opened < options.sockets) {
      await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }

  return {
    waves,
    sockets: opened,
    connected,
    refused,
    acks,
    failures,
    failureSamples,
    received,
    seconds: (Date.now() - started) / 1000,
    peak,
  };
}

/** Every count a leak would show in is back where it started (heap aside). */
export function drained(stats: ServerStats, baseline: ServerStats): boolean {
  return (
    stats.engineClients === baseline.engineClients &&
    stats.sockets === baseline.sockets &&
    stats.rooms === baseline.rooms &&
    stats.socketRooms === baseline.socketRooms &&
    stats.httpConnections === baseline.httpConnections &&
    stats.rateLimitKeys === baseline.rateLimitKeys &&
    stats.revocationUsers === baseline.revocationUsers &&
    JSON.stringify(stats.connectionLimit) === JSON.stringify(baseline.connectionLimit) &&
    JSON.stringify(sorted(stats.activeResources)) ===
      JSON.stringify(sorted(baseline.activeResources))
  );
}

function sorted(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The preset's rate limits with windows of one or two seconds instead of up to a
 * minute: the same code paths, but the in-memory counters of a wave are swept seconds
 * after it ends, so a run can wait for every map to empty.
 */
export const SHORT_WINDOWS: ChildServerConfig = {
  rateLimit: {
    connections: {
      perIp: { points: 40, durationMs: 2000, blockDurationMs: 2000 },
      perUser: { points: 10, durationMs: 2000, blockDurationMs: 2000 },
    },
    messages: {
      perSocket: { points: 30, durationMs: 1000 },
      perUser: { points: 60, durationMs: 1000 },
    },
  },
};
