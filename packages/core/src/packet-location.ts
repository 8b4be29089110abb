import type { Packet } from './socket-types';

/** Where a value sits in a packet: an argument index, or a field path of the first argument. */
export type PacketLocation = number | readonly string[];

/**
 * The value at `where` in `packet` (`[event, ...args]`), or `undefined`: never an ack
 * function, never an inherited property, nothing below a value that is not a plain
 * object. Paths are split once, at set-up (`'message.body'` → `['message', 'body']`).
 */
export function valueAtLocation(packet: Packet, where: PacketLocation): unknown {
  if (typeof where === 'number') {
    const value = packet[where + 1];
    return typeof value === 'function' ? undefined : value;
  }
  let value: unknown = packet[1];
  for (const key of where) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
