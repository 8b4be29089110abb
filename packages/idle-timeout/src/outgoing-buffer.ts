/**
 * What the server holds for a client that has not read it yet, read from engine.io's
 * connection: the packets waiting in its write buffer (while the transport is busy, or
 * until a polling client asks), plus, on the WebSocket transport, what `ws` and the
 * TCP socket keep in memory (`bufferedAmount`, public in `ws`). Typed by shape, since
 * these are engine.io's internals; anything not found counts as nothing.
 */
interface EngineConnectionLike {
  readonly transport?: { readonly socket?: { readonly bufferedAmount?: unknown } };
  readonly writeBuffer?: unknown;
  close?(discard?: boolean): void;
}

interface QueuedPacket {
  readonly data?: unknown;
}

function packetBytes(packet: unknown): number {
  const data = (packet as QueuedPacket | null)?.data;
  if (typeof data === 'string') return data.length;
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 1;
}

/**
 * Bytes waiting to reach the client. Stops counting the queue once past `enough`: the
 * caller only needs to know whether the limit is exceeded, and a slow reader's queue
 * can be long.
 */
export function outgoingBytes(conn: unknown, enough: number): number {
  const connection = conn as EngineConnectionLike | null | undefined;
  let total = 0;
  const buffered = connection?.transport?.socket?.bufferedAmount;
  if (typeof buffered === 'number' && buffered > 0) total += buffered;
  const queue = connection?.writeBuffer;
  if (Array.isArray(queue)) {
    for (let index = 0; index < queue.length && total <= enough; index++) {
      total += packetBytes(queue[index]);
    }
  }
  return total;
}

/**
 * Closes the connection without waiting for its buffer to drain (it never would) and,
 * on a WebSocket, without the closing handshake a client that does not read cannot
 * answer, so the memory it pinned is freed now rather than after `ws`'s close timeout.
 */
export function dropConnection(conn: unknown): void {
  const connection = conn as EngineConnectionLike | null | undefined;
  const socket = connection?.transport?.socket as { terminate?: unknown } | undefined;
  connection?.close?.(true);
  if (typeof socket?.terminate === 'function') (socket.terminate as () => void)();
}
