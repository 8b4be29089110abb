import { createHmac, randomBytes } from 'node:crypto';
import type { RoomPattern } from './room-names';

/**
 * The name a security event may carry for a room: the name itself when it matches a
 * pattern the app declared safe to log, otherwise a keyed hash (HMAC with a key made at
 * start-up), so the same room reads the same within a process but a name cannot be
 * guessed back from the log with a dictionary.
 */
export function roomLogNamer(loggable: readonly RoomPattern[]): (room: string) => string {
  const key = randomBytes(32);
  return (room) => {
    for (const pattern of loggable) if (pattern.matches(room)) return room;
    return `hash:${createHmac('sha256', key).update(room).digest('hex').slice(0, 16)}`;
  };
}
