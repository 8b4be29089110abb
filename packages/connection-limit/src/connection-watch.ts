import type { AnySocket } from '@portcullis/core';
import type { Lease } from './counts';

type PacketListener = (packet: { type: string; data?: unknown }) => void;

interface EngineConnection {
  rawListeners(event: 'close'): (() => void)[];
  removeAllListeners(event: 'close'): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'packetCreate', listener: PacketListener): unknown;
  off(event: 'close', listener: () => void): unknown;
  off(event: 'packetCreate', listener: PacketListener): unknown;
}

/** What the watch keeps per engine.io connection, while a handshake on it is pending. */
interface Watched {
  readonly conn: EngineConnection;
  /** An array: one namespace per connection is the common case, and a Set costs more. */
  readonly leases: Lease[];
  /** Only where refusals are not seen otherwise (`onHandshakeEnd` unavailable). */
  readonly onPacket: PacketListener | undefined;
  readonly onClose: () => void;
}

/**
 * Node's `EventEmitter` keeps an event's listeners in an array that never shrinks:
 * engine.io's connection has two `close` listeners, and a third one, even removed,
 * leaves the array with room for 19 (about 140 bytes for as long as the connection
 * lives). Taking the listeners off and putting the same ones back, in order, through the
 * emitter's own methods leaves an array of exactly two (`once` wrappers stay wrappers:
 * `rawListeners` returns them as registered). Call it only outside an `emit` of the
 * event: at connection, never from the `close` that is running.
 */
function compactListeners(conn: EngineConnection, event: 'close'): void {
  const listeners = conn.rawListeners(event);
  // One listener is kept as the function itself, with no array at all.
  if (listeners.length < 2) return;
  conn.removeAllListeners(event);
  for (const listener of listeners) conn.on(event, listener);
}

function isEngineConnection(value: unknown): value is EngineConnection {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { on?: unknown }).on === 'function' &&
    typeof (value as { off?: unknown }).off === 'function' &&
    typeof (value as { rawListeners?: unknown }).rawListeners === 'function' &&
    typeof (value as { removeAllListeners?: unknown }).removeAllListeners === 'function'
  );
}

const CONNECT_ERROR = 0x34; // '4', Socket.io's CONNECT_ERROR packet type
const SLASH = 0x2f;

/** The namespace of an outgoing Socket.io `CONNECT_ERROR` packet, or `undefined` for any other packet. */
export function connectErrorNamespace(data: unknown): string | undefined {
  if (typeof data !== 'string' || data.charCodeAt(0) !== CONNECT_ERROR) return undefined;
  if (data.charCodeAt(1) !== SLASH) return '/';
  const comma = data.indexOf(',');
  return comma === -1 ? data.slice(1) : data.slice(1, comma);
}

/**
 * Watches one engine.io connection (shared by its namespaces) while a handshake on it is
 * pending, for the two ends of a handshake that Socket.io reports to nobody else:
 * - the connection closes (client killed, network cut, ping timeout) before the socket
 *   connected: every lease on it is released;
 * - a later `io.use` middleware refused the socket: Socket.io sends `CONNECT_ERROR` for
 *   that namespace and drops the socket without a `disconnect` event, so the pending
 *   lease of that namespace is released. The guard sees this through `onHandshakeEnd`;
 *   only on a Socket.io without it (before 4.8) does the watch read outgoing frames
 *   (`watchRefusals`).
 * Once no handshake on the connection is pending, the watch lets go of it: a connected
 * socket's lease is released by its `disconnect`, which also fires when the connection
 * closes, so a connected client costs the watch nothing.
 */
export class ConnectionWatch {
  private readonly watched = new WeakMap<object, Watched>();

  constructor(private readonly release: (lease: Lease) => void) {}

  add(socket: AnySocket, lease: Lease, watchRefusals: boolean): void {
    if (lease.state !== 'pending') return;
    const conn: unknown = socket.conn;
    if (!isEngineConnection(conn)) return;
    let watched = this.watched.get(conn);
    if (watched === undefined) {
      const leases: Lease[] = [];
      const onPacket: PacketListener | undefined = watchRefusals
        ? (packet) => {
            if (packet.type !== 'message') return;
            const nsp = connectErrorNamespace(packet.data);
            if (nsp === undefined) return;
            for (const each of leases) {
              if (each.state === 'pending' && each.socket.nsp.name === nsp) {
                this.release(each);
                return;
              }
            }
          }
        : undefined;
      const onClose = (): void => {
        for (const each of leases.slice()) this.release(each);
        leases.length = 0;
      };
      watched = { conn, leases, onPacket, onClose };
      this.watched.set(conn, watched);
      conn.on('close', onClose);
      if (onPacket !== undefined) conn.on('packetCreate', onPacket);
    }
    if (!watched.leases.includes(lease)) watched.leases.push(lease);
  }

  delete(socket: AnySocket, lease: Lease): void {
    const leases = this.watched.get(socket.conn)?.leases;
    const index = leases === undefined ? -1 : leases.indexOf(lease);
    if (index !== -1) (leases as Lease[]).splice(index, 1);
    this.settle(socket);
  }

  /**
   * Call when a lease of this socket's connection changes state: once no handshake on
   * the connection is pending, its listeners and its entry go.
   */
  settle(socket: AnySocket, connected = false): void {
    const conn = socket.conn as object;
    const watched = this.watched.get(conn);
    if (watched === undefined) return;
    for (const lease of watched.leases) if (lease.state === 'pending') return;
    watched.conn.off('close', watched.onClose);
    // A release may run inside the connection's `close`: the list is left as it is then.
    if (connected) compactListeners(watched.conn, 'close');
    if (watched.onPacket !== undefined) watched.conn.off('packetCreate', watched.onPacket);
    this.watched.delete(conn);
  }
}
