import type { Packet } from '@portcullis/core';

/** An argument index, or a field path of the first argument (split at set-up). */
export type FieldLocation = number | readonly string[];

/** The value at a location of a packet, or `undefined`. */
export function valueAt(packet: Packet, where: FieldLocation): unknown {
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
