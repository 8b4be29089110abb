import type { RedisClient } from './client';

/**
 * Commands the guards send to one Redis client in the same turn of the event loop (a
 * handshake's per-user attempts, denylist read and connection lease; the places given
 * back by sockets that left together) leave in one write instead of one each. A write
 * to a socket is a system call that costs more CPU than most commands themselves, here
 * and on Redis, which then reads the commands in one go and answers them in one write.
 *
 * How: the client's socket is corked when the turn's first command is sent and uncorked
 * by `setImmediate`, once the callbacks of this turn's I/O have run; nothing waits for
 * longer than that. Not `process.nextTick`: measured, it saved about nothing, while
 * `setImmediate` also holds together what several sockets' I/O callbacks of one turn
 * send (handshakes and leavings under load). Only ioredis's single-server client exposes its
 * socket (`client.stream`); an ioredis Cluster writes as before, and node-redis already
 * sends the commands of one tick together.
 */
interface CorkableStream {
  cork(): void;
  uncork(): void;
}

function corkableStreamOf(client: unknown): CorkableStream | undefined {
  const stream = (client as { stream?: unknown } | null)?.stream;
  if (typeof stream !== 'object' || stream === null) return undefined;
  const candidate = stream as Partial<CorkableStream>;
  return typeof candidate.cork === 'function' && typeof candidate.uncork === 'function'
    ? (candidate as CorkableStream)
    : undefined;
}

const corkedHere = new WeakSet<CorkableStream>();

function uncork(stream: CorkableStream): void {
  corkedHere.delete(stream);
  stream.uncork();
}

/**
 * Holds `client`'s writes back until the end of this turn of the event loop, once per
 * turn. Call it right before sending a command. The client may change its socket when it
 * reconnects: the socket is looked up each time.
 */
export function batchWritesThisTurn(client: RedisClient): void {
  const stream = corkableStreamOf(client);
  if (stream === undefined || corkedHere.has(stream)) return;
  corkedHere.add(stream);
  stream.cork();
  setImmediate(uncork, stream);
}
