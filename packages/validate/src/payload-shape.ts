/**
 * The shape check that runs before joi sees a payload: it refuses the objects that
 * prototype pollution is made of, whatever the schema allows.
 *
 * Two shapes reach a server over the wire:
 * - an own `__proto__` key: `JSON.parse` creates one as a plain data property, which
 *   `Object.assign`, a spread into a setter or a naive deep merge later turns into a
 *   prototype change (of the target, or of `Object.prototype` itself);
 * - an object whose prototype is not `Object.prototype`: JSON never makes one, but a
 *   custom parser or reviver can, and joi's clone keeps that prototype, so the fields
 *   it carries would reach the handler without the schema ever seeing them.
 * `constructor` and `prototype` keys are the other half of the classic payload
 * (`{"constructor":{"prototype":{…}}}` reaches `Object.prototype` through a merge).
 *
 * The walk allocates nothing unless it finds a problem; its depth is capped, so a
 * deeply nested payload is refused instead of overflowing the stack.
 */

export type ShapeProblemType = 'object.prototypeKey' | 'object.prototype' | 'payload.depth';

/** Where the walk stopped and why; `reversedPath` is filled on the way back up. */
export interface ShapeProblem {
  readonly type: ShapeProblemType;
  readonly reversedPath: (string | number)[];
}

export interface ShapeRules {
  /** Also refuse `constructor` and `prototype` keys (`__proto__` is always refused). */
  readonly refuseConstructorKeys: boolean;
  /** Nesting levels of objects and arrays allowed below an argument. */
  readonly maxDepth: number;
}

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

function problem(type: ShapeProblemType): ShapeProblem {
  return { type, reversedPath: [] };
}

function isForbiddenKey(key: string, rules: ShapeRules): boolean {
  if (key === '__proto__') return true;
  return rules.refuseConstructorKeys && (key === 'constructor' || key === 'prototype');
}

/**
 * Walks arguments before joi sees them. One scanner per guard: checks are synchronous,
 * so `sawBinary` (reset by the caller for each packet) cannot mix two packets.
 */
export class ShapeScanner {
  /** Whether the last walks met a binary attachment (see `findFakeBinary`). */
  sawBinary = false;

  constructor(private readonly rules: ShapeRules) {}

  /**
   * First unsafe spot in `value`, or `undefined` when the payload is plain JSON data.
   * `depth` counts the objects and arrays around `value` (0 for an argument).
   */
  find(value: unknown, depth = 0): ShapeProblem | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    // Binary attachments arrive as Buffers: their bytes are data, not keys.
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      this.sawBinary = true;
      return undefined;
    }
    if (depth >= this.rules.maxDepth) return problem('payload.depth');
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== ARRAY_PROTOTYPE) return problem('object.prototype');
      for (let index = 0; index < value.length; index++) {
        const found = this.find(value[index], depth + 1);
        if (found !== undefined) {
          found.reversedPath.push(index);
          return found;
        }
      }
      return undefined;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== OBJECT_PROTOTYPE && prototype !== null) return problem('object.prototype');
    for (const key in value) {
      if (!hasOwn.call(value, key)) continue;
      const found = isForbiddenKey(key, this.rules)
        ? problem('object.prototypeKey')
        : this.find((value as Record<string, unknown>)[key], depth + 1);
      if (found !== undefined) {
        found.reversedPath.push(key);
        return found;
      }
    }
    return undefined;
  }
}

/**
 * Path to a binary attachment that a joi object schema turned into an object.
 *
 * `Joi.object()` accepts a Buffer (it is an object) and clones it into a plain object
 * that keeps `Buffer.prototype` without being a Buffer; the first property read by a
 * handler or by Socket.io's encoder then throws outside any guard. Only validated
 * values of packets that carried binary are walked (plain JSON cannot produce this).
 */
export function findFakeBinary(value: unknown, depth = 0): (string | number)[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (ArrayBuffer.isView(value)) return undefined;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return [];
  if (depth > MAX_FAKE_BINARY_DEPTH) return undefined;
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

/** Validated values are no deeper than their input, which `maxDepth` already bounded. */
const MAX_FAKE_BINARY_DEPTH = 1000;
