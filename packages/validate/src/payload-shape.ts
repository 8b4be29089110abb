/**
 * Where a payload's unsafe shape is, for the refusal's `path`. Not a check of its own:
 * core's structure walk (size-limit's, or validate's fallback run of it) is the one walk
 * every packet gets; it refuses non-plain objects and notes the `__proto__`,
 * `constructor` and `prototype` keys it lets through. Only when it found one of those
 * does the guard come here, to name the spot, so this runs on refused packets only.
 *
 * The shapes, and why they are refused whatever the schema allows:
 * - an own `__proto__` key: `JSON.parse` creates one as a plain data property, which
 *   `Object.assign`, a spread into a setter or a naive deep merge later turns into a
 *   prototype change (of the target, or of `Object.prototype` itself);
 * - `constructor` and `prototype` keys, the other half of the classic payload
 *   (`{"constructor":{"prototype":{…}}}` reaches `Object.prototype` through a merge);
 * - an object whose prototype is not `Object.prototype`: JSON never makes one, but a
 *   custom parser or reviver can, and joi's clone keeps that prototype, so the fields
 *   it carries would reach the handler without the schema ever seeing them.
 */
import { HARD_MAX_DEPTH, isBinaryValue } from '@portcullis/core';

export type ShapeProblemType = 'object.prototypeKey' | 'object.prototype';

/** Where the search stopped and why; `reversedPath` is filled on the way back up. */
export interface ShapeProblem {
  readonly type: ShapeProblemType;
  readonly reversedPath: (string | number)[];
}

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

function problem(type: ShapeProblemType): ShapeProblem {
  return { type, reversedPath: [] };
}

function isForbiddenKey(key: string, refuseConstructorKeys: boolean): boolean {
  if (key === '__proto__') return true;
  return refuseConstructorKeys && (key === 'constructor' || key === 'prototype');
}

/**
 * The first unsafe spot in `value`, or `undefined`. Recursive, and bounded by
 * `levelsLeft` (the depth the structure walk allowed), so even a packet the walk stopped
 * early on cannot take it deeper than that.
 */
export function findShapeProblem(
  value: unknown,
  refuseConstructorKeys: boolean,
  levelsLeft: number,
): ShapeProblem | undefined {
  if (typeof value !== 'object' || value === null || isBinaryValue(value)) return undefined;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== ARRAY_PROTOTYPE) return problem('object.prototype');
    if (levelsLeft <= 0) return undefined;
    for (let index = 0; index < value.length; index++) {
      const found = findShapeProblem(value[index], refuseConstructorKeys, levelsLeft - 1);
      if (found !== undefined) {
        found.reversedPath.push(index);
        return found;
      }
    }
    return undefined;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== OBJECT_PROTOTYPE && prototype !== null) return problem('object.prototype');
  if (levelsLeft <= 0) return undefined;
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    const found = isForbiddenKey(key, refuseConstructorKeys)
      ? problem('object.prototypeKey')
      : findShapeProblem(
          (value as Record<string, unknown>)[key],
          refuseConstructorKeys,
          levelsLeft - 1,
        );
    if (found !== undefined) {
      found.reversedPath.push(key);
      return found;
    }
  }
  return undefined;
}

/**
 * Path to a binary attachment that a joi object schema turned into an object.
 *
 * `Joi.object()` accepts a Buffer (it is an object) and clones it into a plain object
 * that keeps `Buffer.prototype` without being a Buffer; the first property read by a
 * handler or by Socket.io's encoder then throws outside any guard. Only validated
 * values of packets that carried binary are searched (plain JSON cannot produce this),
 * and they nest no deeper than their input, which the structure walk bounded.
 */
export function findFakeBinary(value: unknown, depth = 0): (string | number)[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (ArrayBuffer.isView(value)) return undefined;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return [];
  if (depth > HARD_MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findFakeBinary(value[index], depth + 1);
      if (found !== undefined) return [index, ...found];
    }
    return undefined;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== OBJECT_PROTOTYPE && prototype !== null) return undefined;
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    const found = findFakeBinary((value as Record<string, unknown>)[key], depth + 1);
    if (found !== undefined) return [key, ...found];
  }
  return undefined;
}
