import type { Packet } from '@portcullis/core';

/** Where a publishing event names its room: an argument index, or a field path (split at set-up). */
export type RoomLocation = number | readonly string[];

/** The room a publishing packet names, or `undefined` when it names none. */
export function roomOfPacket(packet: Packet, where: RoomLocation): unknown {
  if (typeof where === 'number') return packet[where + 1];
  let value: unknown = packet[1];
  for (const key of where) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
