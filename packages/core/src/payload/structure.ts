import { argumentsEnd, isBinaryValue } from './arguments';
import { PayloadFeature, checkedDepthOf, markStructureChecked } from './checked';
import type { StructureLimits } from './limits';

/** Why a packet's arguments were refused; `OK` when they were not. */
export const StructureViolation = {
  OK: 0,
  DEPTH: 1,
  KEYS: 2,
  ARRAY_LENGTH: 3,
  STRING_LENGTH: 4,
  ATTACHMENTS: 5,
  UNEXPECTED_BINARY: 6,
  NON_PLAIN: 7,
  PROTOTYPE_KEY: 8,
} as const;
export type StructureViolation = (typeof StructureViolation)[keyof typeof StructureViolation];

// One walk at a time (the check is synchronous), so the explicit stack is shared and
// reused: no allocation per packet once it has grown to the usual size. Module state
// of core, which exists once per process (the ESM and CommonJS copies each have a
// stack of their own, which is just as safe: neither is ever left holding anything).
const stackValues: unknown[] = [];
const stackDepths: number[] = [];

function clearStack(): void {
  stackValues.length = 0;
  stackDepths.length = 0;
}

/**
 * Whether an own key of a payload object is one a merge turns into prototype pollution:
 * `__proto__` whatever its value (`JSON.parse` makes it an own data property, which
 * `Object.assign`, a spread into a setter or a deep merge then applies as a prototype),
 * and `constructor` holding an object or array (`{"constructor":{"prototype":{…}}}`
 * reaches `Object.prototype` through a deep merge of `target.constructor.prototype`).
 * A `constructor` holding a string, number or boolean (a form field called
 * "constructor") reaches no prototype; nor does a lone `prototype` key, which only
 * matters under `constructor`.
 */
function isPollutingKey(key: string, value: unknown): boolean {
  return (
    key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null)
  );
}

/**
 * The one structural walk of a packet's arguments (`packet[1..]`, without the trailing
 * ack), against `limits`, iteratively: a payload nested 10 000 levels deep is refused at
 * level `maxDepth + 1` without recursion. Accepts only what JSON and binary attachments
 * can carry: `null`, booleans, numbers, strings, plain objects (prototype
 * `Object.prototype` or `null`), real arrays, and binary where `limits.binary` is set.
 * Anything else (functions, class instances, `Array.prototype` and other objects a
 * vulnerable parser may hand over in place of a forged binary placeholder, and leftover
 * `{ _placeholder: true }` objects) is a type confusion. Own `__proto__` keys, and
 * `constructor` keys holding objects, are refused unless `limits.allowPrototypeKeys`.
 * The event name is not looked at: guards read it as they dispatch.
 *
 * A packet it lets through is marked (see `checkedDepthOf`, `payloadHas`), so the guards
 * after it know its depth is bounded without walking it again.
 *
 * @example
 * const violation = checkPayloadStructure(packet, DEFAULT_STRUCTURE_LIMITS);
 * if (violation !== StructureViolation.OK) return refusals[violation];
 */
export function checkPayloadStructure(
  packet: readonly unknown[],
  limits: StructureLimits,
): StructureViolation {
  const end = argumentsEnd(packet);
  const { maxDepth, maxKeys, maxArrayLength, maxStringLength, binary, maxAttachments } = limits;
  const refusePrototypeKeys = !limits.allowPrototypeKeys;
  let attachments = 0;
  let features = 0;
  for (let index = 1; index < end; index++) {
    stackValues.push(packet[index]);
    stackDepths.push(1);
  }
  let violation: StructureViolation = StructureViolation.OK;
  walk: while (stackValues.length > 0) {
    const value = stackValues.pop();
    const depth = stackDepths.pop() as number;
    switch (typeof value) {
      case 'string':
        if (value.length > maxStringLength) {
          violation = StructureViolation.STRING_LENGTH;
          break walk;
        }
        continue;
      case 'number':
      case 'boolean':
      case 'undefined':
        continue;
      case 'object':
        break;
      default:
        // function, symbol, bigint: nothing JSON or a binary attachment decodes to.
        violation = StructureViolation.NON_PLAIN;
        break walk;
    }
    if (value === null) continue;
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) {
        violation = StructureViolation.NON_PLAIN;
        break;
      }
      if (depth > maxDepth) {
        violation = StructureViolation.DEPTH;
        break;
      }
      const length = value.length;
      if (length > maxArrayLength) {
        violation = StructureViolation.ARRAY_LENGTH;
        break;
      }
      for (let index = 0; index < length; index++) {
        const child: unknown = value[index];
        if (typeof child === 'string') {
          if (child.length > maxStringLength) {
            violation = StructureViolation.STRING_LENGTH;
            break walk;
          }
        } else if (typeof child !== 'number' && typeof child !== 'boolean' && child !== null) {
          stackValues.push(child);
          stackDepths.push(depth + 1);
        }
      }
      continue;
    }
    if (isBinaryValue(value)) {
      if (!binary) {
        violation = StructureViolation.UNEXPECTED_BINARY;
        break;
      }
      if (++attachments > maxAttachments) {
        violation = StructureViolation.ATTACHMENTS;
        break;
      }
      features |= PayloadFeature.BINARY;
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      violation = StructureViolation.NON_PLAIN;
      break;
    }
    if (depth > maxDepth) {
      violation = StructureViolation.DEPTH;
      break;
    }
    const record = value as Record<string, unknown>;
    // A binary placeholder left in place: the parser did not swap it for an attachment,
    // so it was forged (the CVE-2022-2421 shape). Socket.io clients never send one.
    if (record._placeholder === true) {
      violation = StructureViolation.NON_PLAIN;
      break;
    }
    let keys = 0;
    // `for…in` sees an own `__proto__` key (a data property from JSON.parse), and
    // `record[key]` reads that own property, not the inherited accessor. Keys from
    // `JSON.parse` are internalised strings, so the comparisons are pointer checks.
    for (const key in record) {
      if (++keys > maxKeys) {
        violation = StructureViolation.KEYS;
        break walk;
      }
      const child = record[key];
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        if (refusePrototypeKeys && isPollutingKey(key, child)) {
          violation = StructureViolation.PROTOTYPE_KEY;
          break walk;
        }
        features |= key === '__proto__' ? PayloadFeature.PROTO_KEY : PayloadFeature.CONSTRUCTOR_KEY;
      }
      if (typeof child === 'string') {
        if (child.length > maxStringLength) {
          violation = StructureViolation.STRING_LENGTH;
          break walk;
        }
      } else if (typeof child !== 'number' && typeof child !== 'boolean' && child !== null) {
        stackValues.push(child);
        stackDepths.push(depth + 1);
      }
    }
  }
  if (violation === StructureViolation.OK) {
    markStructureChecked(packet, maxDepth, features);
  } else {
    // A refused walk stops early: drop what is left so no payload outlives the check.
    clearStack();
  }
  return violation;
}

/**
 * For a guard that recurses over payloads (joi, a sanitizer): `OK` at once when an
 * earlier guard's walk let the packet through (size-limit, with its limits), otherwise
 * the walk with `limits` (`FALLBACK_STRUCTURE_LIMITS` for a guard used alone). Either
 * way, an `OK` packet nests no deeper than `checkedDepthOf(packet)`.
 */
export function ensurePayloadStructure(
  packet: readonly unknown[],
  limits: StructureLimits,
): StructureViolation {
  if (checkedDepthOf(packet) !== undefined) return StructureViolation.OK;
  return checkPayloadStructure(packet, limits);
}
