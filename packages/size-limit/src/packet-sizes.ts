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

/** What one connection needs measured: the bytes since the last decoded packet. */
interface Measuring {
  pending: number;
  readonly client: SocketIoClient;
}

interface SocketIoClient {
  readonly conn?: unknown;
  readonly decoder?: unknown;
  readonly sockets?: unknown;
}

/** An engine.io connection or a decoder, carrying its connection's `Measuring` under a symbol. */
type Carrier = Record<symbol, Measuring | undefined>;

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
 *
 * A connection costs one small record, reachable from its engine.io connection and its
 * decoder under this guard's symbol: the two listeners are the same functions for every
 * connection (emitters call them with themselves as `this`), so no closure is made per
 * connection, and nothing is left to remove when it closes.
 */
export class PacketSizes {
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
  private readonly onFrame: (this: Carrier, packet: EnginePacket) => void;
  private readonly onDecoded: (this: Carrier, packet: DecodedPacket) => void;

  /**
   * @param certainlyFine a text packet whose largest possible UTF-8 size (3 bytes per
   *   UTF-16 unit) is at most this many bytes is under every limit, so its exact size
   *   is not counted: any value up to this one gives the same verdict.
   * @param onTooDeep called with the sockets of a connection whose binary frame nests
   *   too deeply to decode, and a function closing the connection.
   */
  constructor(
    certainlyFine: number,
    onTooDeep: (sockets: ConnectionSockets, close: () => void) => void,
  ) {
    const key = this.key;
    this.onFrame = function measureFrame(packet) {
      const measuring = this[key];
      if (measuring === undefined || packet.type !== 'message') return;
      const data = packet.data;
      if (typeof data !== 'string') {
        measuring.pending += frameBytes(data);
      } else if (!isBinaryHeader(data)) {
        // A whole packet in one frame: skip the UTF-8 count when it cannot matter.
        measuring.pending +=
          3 * data.length + 1 <= certainlyFine ? data.length + 1 : frameBytes(data);
      } else {
        measuring.pending += frameBytes(data);
        // Socket.io rebuilds binary packets recursively: a deep enough header would blow
        // its stack while decoding, before any middleware. Text packets go through
        // JSON.parse, which copes with any depth, and reach the structure check.
        if (nestsTooDeeply(data)) {
          const client = measuring.client;
          onTooDeep(
            () =>
              client.sockets instanceof Map ? (client.sockets.values() as Iterable<AnySocket>) : [],
            () => (client.conn as { close?: () => void }).close?.(),
          );
        }
      }
    };
    this.onDecoded = function publishSize(packet) {
      const measuring = this[key];
      if (measuring === undefined) return;
      const data = packet.data;
      if (typeof data === 'object' && data !== null) {
        (data as MeasuredPacket)[key] = measuring.pending;
        // For guards that charge by size (rate-limit's costPerKiB). The stand-in of a
        // certainly-fine text packet is its UTF-16 length plus one: a lower bound of
        // its UTF-8 bytes, exact for ASCII, which keeps this free of a UTF-8 count.
        setPacketBytes(data, measuring.pending);
      }
      measuring.pending = 0;
    };
  }

  /**
   * Starts measuring the connection under `socket` (once per connection). Returns
   * `false` when Socket.io's internals are not where they were expected, in which case
   * `take` answers `undefined` and the guard fails closed.
   */
  watch(socket: AnySocket): boolean {
    const client = socket.client as unknown as SocketIoClient;
    const { conn, decoder } = client;
    if (!isListener(conn) || !isListener(decoder)) return false;
    const key = this.key;
    if ((decoder as unknown as Carrier)[key] !== undefined) return true;
    const measuring: Measuring = { pending: 0, client };
    (conn as unknown as Carrier)[key] = measuring;
    (decoder as unknown as Carrier)[key] = measuring;
    conn.on('packet', this.onFrame as (arg: never) => void);
    decoder.on('decoded', this.onDecoded as (arg: never) => void);
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
