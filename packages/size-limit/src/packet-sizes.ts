import { setPacketBytes, type AnySocket } from '@portcullis/core';
import { frameBytes, isBinaryHeader, nestsTooDeeply } from './frames';

/** A packet's argument array, carrying sizes under symbol keys. */
type MeasuredPacket = Record<symbol, number | undefined>;

interface Listener {
  on(event: string, listener: (arg: never) => void): unknown;
}

interface EnginePacket {
  readonly type: string;
  readonly data?: unknown;
}

interface DecodedPacket {
  readonly data?: unknown;
}

function isListener(value: unknown): value is Listener {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { on?: unknown }).on === 'function'
  );
}

/** The sockets of one connection (Socket.io's own map on its `Client`, one per namespace). */
export type ConnectionSockets = () => Iterable<AnySocket>;

/**
 * Measures each Socket.io packet on the engine.io frames that carried it.
 *
 * Engine.io emits `packet` (with the raw string or Buffer) before `data`, and Socket.io's
 * decoder turns `data` into packets, emitting `decoded` synchronously once the last
 * frame of a packet (text header plus binary attachments) is in. So the frames counted
 * since the previous `decoded` are exactly this packet's. Socket.io then dispatches the
 * packet on a later tick, and several packets may be decoded before the first is
 * dispatched (ws delivers the frames of one TCP read together; a polling request holds
 * many), so the size rides on the packet's own argument array instead of sitting in a
 * "last frame" slot. It needs no order and no clean-up: it goes when the packet goes.
 */
export class PacketSizes {
  private readonly clients = new WeakSet<object>();
  /**
   * Where this guard's measurement travels: on the packet's argument array, the very
   * array `socket.use` receives. A symbol key is invisible to handlers, `for…in`,
   * `Object.keys` and JSON; one per guard, since two guards on namespaces of one
   * connection may measure differently (see `certainlyFine`). The count is also
   * published under core's shared key (`setPacketBytes`) for other guards; there the
   * last guard to measure wins, which is fine for its readers: every count is a lower
   * bound of the true size, and none of them decides this guard's verdict.
   */
  private readonly key = Symbol('portcullis.frameBytes');

  /**
   * @param certainlyFine a text packet whose largest possible UTF-8 size (3 bytes per
   *   UTF-16 unit) is at most this many bytes is under every limit, so its exact size
   *   is not counted: any value up to this one gives the same verdict.
   */
  constructor(private readonly certainlyFine: number) {}

  /**
   * Starts measuring the connection under `socket` (once per connection). Returns
   * `false` when Socket.io's internals are not where they were expected, in which case
   * `take` answers `undefined` and the guard fails closed.
   */
  watch(
    socket: AnySocket,
    onTooDeep: (sockets: ConnectionSockets, close: () => void) => void,
  ): boolean {
    const client = socket.client as unknown as {
      conn?: unknown;
      decoder?: unknown;
      sockets?: unknown;
    };
    if (this.clients.has(client)) return true;
    const { conn, decoder } = client;
    if (!isListener(conn) || !isListener(decoder)) return false;
    this.clients.add(client);
    // Nothing per socket is kept: the connection's sockets are looked up on Socket.io's
    // client when a frame is too deep, which is rare; no set to keep, no listener to
    // remove on disconnect.
    const sockets: ConnectionSockets = () =>
      client.sockets instanceof Map ? (client.sockets.values() as Iterable<AnySocket>) : [];
    const close = (): void => {
      (conn as { close?: () => void }).close?.();
    };
    const certainlyFine = this.certainlyFine;
    const key = this.key;
    let pending = 0;
    conn.on('packet', (packet: EnginePacket) => {
      if (packet.type !== 'message') return;
      const data = packet.data;
      if (typeof data !== 'string') {
        pending += frameBytes(data);
      } else if (!isBinaryHeader(data)) {
        // A whole packet in one frame: skip the UTF-8 count when it cannot matter.
        pending += 3 * data.length + 1 <= certainlyFine ? data.length + 1 : frameBytes(data);
      } else {
        pending += frameBytes(data);
        // Socket.io rebuilds binary packets recursively: a deep enough header would blow
        // its stack while decoding, before any middleware. Text packets go through
        // JSON.parse, which copes with any depth, and reach the structure check.
        if (nestsTooDeeply(data)) onTooDeep(sockets, close);
      }
    });
    decoder.on('decoded', (packet: DecodedPacket) => {
      const data = packet.data;
      if (typeof data === 'object' && data !== null) {
        (data as MeasuredPacket)[key] = pending;
        // For guards that charge by size (rate-limit's costPerKiB). The stand-in of a
        // certainly-fine text packet is its UTF-16 length plus one: a lower bound of
        // its UTF-8 bytes, exact for ASCII, which keeps this free of a UTF-8 count.
        setPacketBytes(data, pending);
      }
      pending = 0;
    });
    return true;
  }

  /**
   * The bytes of the frames that carried this packet (exact, or a stand-in no larger than
   * `certainlyFine` when every limit is surely met: the UTF-16 length plus one, a lower
   * bound); `undefined` when it was not measured.
   */
  take(packet: object): number | undefined {
    return (packet as MeasuredPacket)[this.key];
  }
}
