import type { AnySocket } from '@portcullis/core';
import type { Lease } from './counts';

type PacketListener = (packet: { type: string; data?: unknown }) => void;

interface EngineConnection {
  on(event: 'close', listener: () => void): unknown;
  on(event: 'packetCreate', listener: PacketListener): unknown;
  off(event: 'packetCreate', listener: PacketListener): unknown;
}

/** What the watch keeps per engine.io connection. */
interface Watched {
  readonly conn: EngineConnection;
  /** An array: one namespace per connection is the common case, and a Set costs more. */
  readonly leases: Lease[];
  readonly onPacket: PacketListener;
  /** Outgoing packets are looked at only while a handshake on this connection is pending. */
  listening: boolean;
}

function isEngineConnection(value: unknown): value is EngineConnection {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { on?: unknown }).on === 'function' &&
    typeof (value as { off?: unknown }).off === 'function'
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
 * Watches one engine.io connection (shared by its namespaces) for the two ends of a
 * handshake that Socket.io reports to nobody else:
 * - the connection closes (client killed, network cut, ping timeout), before or after
 *   the socket connected: every lease on it is released;
 * - a later `io.use` middleware refused the socket: Socket.io sends `CONNECT_ERROR` for
 *   that namespace and drops the socket without a `disconnect` event, so the pending
 *   lease of that namespace is released.
 */
export class ConnectionWatch {
  private readonly watched = new WeakMap<object, Watched>();

  constructor(private readonly release: (lease: Lease) => void) {}

  add(socket: AnySocket, lease: Lease): void {
    const conn: unknown = socket.conn;
    if (!isEngineConnection(conn)) return;
    let watched = this.watched.get(conn);
    if (watched === undefined) {
      const leases: Lease[] = [];
      const onPacket: PacketListener = (packet) => {
        if (packet.type !== 'message') return;
        const nsp = connectErrorNamespace(packet.data);
        if (nsp === undefined) return;
        for (const each of leases) {
          if (each.state === 'pending' && each.nsp === nsp) {
            this.release(each);
            return;
          }
        }
      };
      watched = { conn, leases, onPacket, listening: false };
      this.watched.set(conn, watched);
      // `close` fires once; `on` spares the wrapper `once` allocates per connection.
      conn.on('close', () => {
        for (const each of leases.slice()) this.release(each);
        leases.length = 0;
      });
    }
    if (!watched.leases.includes(lease)) watched.leases.push(lease);
    this.settle(socket);
  }

  delete(socket: AnySocket, lease: Lease): void {
    const leases = this.watched.get(socket.conn)?.leases;
    const index = leases === undefined ? -1 : leases.indexOf(lease);
    if (index !== -1) (leases as Lease[]).splice(index, 1);
    this.settle(socket);
  }

  /**
   * Call when a lease of this socket's connection changes state: listens to outgoing
   * packets while a handshake is pending, and stops once none is, so connected sockets
   * pay nothing per message.
   */
  settle(socket: AnySocket): void {
    const watched = this.watched.get(socket.conn);
    if (watched === undefined) return;
    let pending = false;
    for (const lease of watched.leases) {
      if (lease.state === 'pending') {
        pending = true;
        break;
      }
    }
    if (pending && !watched.listening) watched.conn.on('packetCreate', watched.onPacket);
    if (!pending && watched.listening) watched.conn.off('packetCreate', watched.onPacket);
    watched.listening = pending;
  }
}
