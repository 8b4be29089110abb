import { setPacketBytes, type AnySocket } from '@portcullis/core';
import { frameBytes, isBinaryHeader, nestsTooDeeply } from './frames';

/** A packet's argument array, carrying sizes under symbol keys. */
type MeasuredPacket = Record<symbol, number | undefined>;

interface Listener {
  on(event: string, listener: (arg: never) => void): unknown;
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

interface SocketIoClient {
  readonly conn?: unknown;
  readonly decoder?: unknown;
  readonly sockets?: unknown;
}

/** A decoder's `add`: Socket.io's `Client` hands it each engine.io message, text or binary. */
type AddFrame = (this: unknown, data: unknown) => unknown;

/**
 * A connection's decoder, carrying this guard's count under its symbols: the bytes of
 * the frames since the last decoded packet, the connection's `Client` (to cut it), and the
 * `add` it wrapped when that was not the decoder class's own.
 */
type Carrier = Record<symbol, unknown> & { add?: unknown };

/**
 * Measures each Socket.io packet on the engine.io frames that carried it.
 *
 * Socket.io's `Client` hands every engine.io message (a text frame, or a binary
 * attachment) to its decoder's `add`, and the decoder emits `decoded` synchronously once
 * the last frame of a packet (text header plus attachments) is in. So the frames counted
 * since the previous `decoded` are exactly this packet's. Socket.io then dispatches the
 * packet on a later tick, and several packets may be decoded before the first is
 * dispatched (ws delivers the frames of one TCP read together; a polling request holds
 * many), so the size rides on the packet's own argument array instead of sitting in a
 * "last frame" slot. It needs no order and no clean-up: it goes when the packet goes.
 *
 * A connection costs a few fields on its decoder, under this guard's symbols: the count
 * (a number), the `Client`, and `add` replaced by a function shared by every connection
 * (the decoder is its `this`), plus one `decoded` listener, also shared. No record, no
 * closure and no listener on the engine.io connection per connection: counting on
 * engine.io's `packet` event cost about 170 bytes more per connection (a record, a
 * field on the connection, a bigger listener table), and nothing is left to remove
 * when it closes.
 */
export class PacketSizes {
  /**
   * Where this guard's measurement travels: on the packet's argument array, the very
   * array `socket.use` receives. A symbol key is invisible to handlers, `for…in`,
   * `Object.keys` and JSON; one per guard, since two guards on namespaces of one
   * connection may measure differently (see `certainlyFine`). The count is also
   * published under core's shared key (`setPacketBytes`) for other guards; there the
   * last guard to measure wins, which is fine for its readers: every count is a lower
   * bound of the true size, and none of them decides this guard's verdict. On the
   * decoder, the same key holds the bytes counted so far.
   */
  private readonly key = Symbol('portcullis.frameBytes');
  private readonly clientKey = Symbol('portcullis.frameBytes.client');
  private readonly wrappedKey = Symbol('portcullis.frameBytes.wrappedAdd');
  private readonly measuredAdd: AddFrame;
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
    const { key, clientKey, wrappedKey } = this;
    const countFrame = (decoder: Carrier, pending: number, data: unknown): void => {
      if (typeof data !== 'string') {
        decoder[key] = pending + frameBytes(data);
      } else if (!isBinaryHeader(data)) {
        // A whole packet in one frame: skip the UTF-8 count when it cannot matter.
        decoder[key] =
          pending + (3 * data.length + 1 <= certainlyFine ? data.length + 1 : frameBytes(data));
      } else {
        decoder[key] = pending + frameBytes(data);
        // Socket.io rebuilds binary packets recursively: a deep enough header would blow
        // its stack while decoding, before any middleware. Text packets go through
        // JSON.parse, which copes with any depth, and reach the structure check.
        if (nestsTooDeeply(data)) {
          const client = decoder[clientKey] as SocketIoClient;
          onTooDeep(
            () =>
              client.sockets instanceof Map ? (client.sockets.values() as Iterable<AnySocket>) : [],
            () => (client.conn as { close?: () => void }).close?.(),
          );
        }
      }
    };
    this.measuredAdd = function measureFrame(this: unknown, data: unknown): unknown {
      const decoder = this as Carrier;
      const pending = decoder[key];
      if (typeof pending === 'number') countFrame(decoder, pending, data);
      const wrapped = (decoder[wrappedKey] ??
        (Object.getPrototypeOf(decoder) as { add: AddFrame }).add) as AddFrame;
      return wrapped.call(decoder, data);
    };
    this.onDecoded = function publishSize(packet) {
      const pending = this[key];
      if (typeof pending !== 'number') return;
      const data = packet.data;
      if (typeof data === 'object' && data !== null) {
        (data as MeasuredPacket)[key] = pending;
        // For guards that charge by size (rate-limit's costPerKiB). The stand-in of a
        // certainly-fine text packet is its UTF-16 length plus one: a lower bound of
        // its UTF-8 bytes, exact for ASCII, which keeps this free of a UTF-8 count.
        setPacketBytes(data, pending);
      }
      this[key] = 0;
    };
  }

  /**
   * Starts measuring the connection under `socket` (once per connection). Returns
   * `false` when Socket.io's internals are not where they were expected, in which case
   * `take` answers `undefined` and the guard fails closed.
   */
  watch(socket: AnySocket): boolean {
    const client = socket.client as unknown as SocketIoClient;
    const decoder = client.decoder;
    if (!isListener(decoder)) return false;
    const carrier = decoder as unknown as Carrier;
    if (carrier[this.key] !== undefined) return true;
    const add = carrier.add;
    if (typeof add !== 'function') return false;
    const ownAdd = (Object.getPrototypeOf(decoder) as { add?: unknown }).add;
    // Another wrapper (a second guard on another namespace) came first: call it in turn.
    if (add !== ownAdd) carrier[this.wrappedKey] = add;
    carrier[this.key] = 0;
    carrier[this.clientKey] = client;
    carrier.add = this.measuredAdd;
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
