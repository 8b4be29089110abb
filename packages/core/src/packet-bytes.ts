/**
 * How many bytes a packet arrived in, shared between guards: `@portcullis/size-limit`
 * measures each packet on its raw engine.io frames and publishes the count here;
 * guards that charge by size (`@portcullis/rate-limit`'s `costPerKiB`) read it, so no
 * guard re-serialises a packet to learn its size.
 *
 * The count rides on the packet's argument array (the very array `socket.use` gets)
 * under one symbol key: invisible to handlers, `for…in`, `Object.keys` and JSON, and
 * gone when the packet goes. A client cannot set it: JSON has no symbol keys.
 * `Symbol.for`, so the ESM and CommonJS copies of core (and of the guards) agree on it.
 *
 * The value is a lower bound of the UTF-8 bytes the packet's frames carried (the
 * engine.io type byte and every binary attachment included): exact for binary
 * attachments and for text size-limit counted exactly; for a text packet too small for
 * its exact count to change size-limit's verdict, one byte per UTF-16 unit (exact for
 * ASCII, at most 3 times low for other text). Absent when no guard measured the packet.
 */
const PACKET_BYTES: unique symbol = Symbol.for('portcullis.packetBytes') as never;

interface MeasuredPacket {
  [PACKET_BYTES]?: number;
}

/** Publishes the measured size of a packet (its argument array). */
export function setPacketBytes(packet: object, bytes: number): void {
  (packet as MeasuredPacket)[PACKET_BYTES] = bytes;
}

/** The measured size of a packet, or `undefined` when no guard measured it. */
export function packetBytesOf(packet: object): number | undefined {
  const bytes = (packet as MeasuredPacket)[PACKET_BYTES];
  return typeof bytes === 'number' ? bytes : undefined;
}
