/** Rights on a room, as bits: a grant's value in the socket's record. */
export const JOIN = 1;
export const PUBLISH = 2;

export type RoomRight = 'join' | 'publish';

/** Ably's capability words: `['join', 'publish']`; `subscribe` reads as `join`. */
export function rightsFrom(words: unknown): number {
  if (!Array.isArray(words)) return 0;
  let rights = 0;
  for (const word of words) {
    if (word === 'join' || word === 'subscribe') rights |= JOIN;
    else if (word === 'publish') rights |= PUBLISH;
  }
  // Publishing into a room one may not join is meaningless: publish implies join.
  return rights & PUBLISH ? rights | JOIN : rights;
}
