/**
 * Maps whose values are one item or several: most keys (a user's sockets, a user's
 * connections) hold one item, which then costs no array at all. Insertion order is kept.
 */
export type OneOrMany<T> = T | T[];

/** Adds `item` under `key` (once). `T` must not itself be an array. */
export function addOneOrMany<K, T>(map: Map<K, OneOrMany<T>>, key: K, item: T): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, item);
  else if (Array.isArray(held)) {
    if (!held.includes(item)) held.push(item);
  } else if (held !== item) map.set(key, [held, item]);
}

/** Removes `item` from under `key`; the key goes when nothing is left. */
export function removeOneOrMany<K, T>(map: Map<K, OneOrMany<T>>, key: K, item: T): void {
  const held = map.get(key);
  if (held === item) {
    map.delete(key);
    return;
  }
  if (!Array.isArray(held)) return;
  const index = held.indexOf(item);
  if (index === -1) return;
  held.splice(index, 1);
  if (held.length === 1) map.set(key, held[0] as T);
  else if (held.length === 0) map.delete(key);
}

/** The items under `key`, oldest first: a copy, safe to walk while items are removed. */
export function listOneOrMany<K, T>(map: Map<K, OneOrMany<T>>, key: K): T[] {
  const held = map.get(key);
  if (held === undefined) return [];
  return Array.isArray(held) ? held.slice() : [held];
}
