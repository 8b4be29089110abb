import type { ResolvedLimits } from './options';

/** Why a message's arguments were refused; `OK` when they were not. */
export const Violation = {
  OK: 0,
  DEPTH: 1,
  KEYS: 2,
  ARRAY_LENGTH: 3,
  STRING_LENGTH: 4,
  ATTACHMENTS: 5,
  UNEXPECTED_BINARY: 6,
  NON_PLAIN: 7,
  EVENT_NAME: 8,
  PROTOTYPE_KEY: 9,
} as const;
export type Violation = (typeof Violation)[keyof typeof Violation];

// One walk at a time (the check is synchronous), so the explicit stack is shared and
// reused: no allocation per message once it has grown to the usual size.
const stackValues: unknown[] = [];
const stackDepths: number[] = [];

function isBinary(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

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
 * "constructor") reaches no prototype and passes; so does a lone `prototype` key, which
 * only matters under `constructor`. Keys from `JSON.parse` are internalised strings,
 * so these comparisons are pointer checks.
 */
function isPrototypeKey(key: string, value: unknown): boolean {
  return (
    key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null)
  );
}

/**
 * Checks the arguments of one packet (`packet[1..]`, without the trailing ack) against
 * the limits, iteratively: a payload nested 10 000 levels deep is refused at level
 * `maxDepth + 1` without recursion. Accepts only what JSON and binary attachments can
 * carry: `null`, booleans, numbers, strings, plain objects (prototype `Object.prototype`
 * or `null`), real arrays, and binary where `limits.binary` is set. Anything else
 * (functions, class instances, `Array.prototype` and other objects a vulnerable parser
 * may hand over in place of a forged binary placeholder, and leftover
 * `{ _placeholder: true }` objects) is a type confusion. Own `__proto__` keys, and
 * `constructor` keys holding objects, are refused unless `limits.allowPrototypeKeys`.
 *
 * The event name must be a string. Socket.io's parser also accepts a number and runs
 * the listener registered under its string form (`1` runs `'1'`), while per-event rules
 * are looked up by the name as sent: a number would slip past every one of them.
 */
export function checkArguments(packet: readonly unknown[], limits: ResolvedLimits): Violation {
  if (typeof packet[0] !== 'string') return Violation.EVENT_NAME;
  let end = packet.length;
  // Socket.io appends the ack callback last when the packet asked for one.
  if (end > 1 && typeof packet[end - 1] === 'function') end--;
  const { maxDepth, maxKeys, maxArrayLength, maxStringLength, binary, maxAttachments } = limits;
  const refusePrototypeKeys = !limits.allowPrototypeKeys;
  let attachments = 0;
  for (let index = 1; index < end; index++) {
    stackValues.push(packet[index]);
    stackDepths.push(1);
  }
  let violation: Violation = Violation.OK;
  walk: while (stackValues.length > 0) {
    const value = stackValues.pop();
    const depth = stackDepths.pop() as number;
    switch (typeof value) {
      case 'string':
        if (value.length > maxStringLength) {
          violation = Violation.STRING_LENGTH;
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
        violation = Violation.NON_PLAIN;
        break walk;
    }
    if (value === null) continue;
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) {
        violation = Violation.NON_PLAIN;
        break;
      }
      if (depth > maxDepth) {
        violation = Violation.DEPTH;
        break;
      }
      const length = value.length;
      if (length > maxArrayLength) {
        violation = Violation.ARRAY_LENGTH;
        break;
      }
      for (let index = 0; index < length; index++) {
        const child: unknown = value[index];
        if (typeof child === 'string') {
          if (child.length > maxStringLength) {
            violation = Violation.STRING_LENGTH;
            break walk;
          }
        } else if (typeof child !== 'number' && typeof child !== 'boolean' && child !== null) {
          stackValues.push(child);
          stackDepths.push(depth + 1);
        }
      }
      continue;
    }
    if (isBinary(value)) {
      if (!binary) {
        violation = Violation.UNEXPECTED_BINARY;
        break;
      }
      if (++attachments > maxAttachments) {
        violation = Violation.ATTACHMENTS;
        break;
      }
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      violation = Violation.NON_PLAIN;
      break;
    }
    if (depth > maxDepth) {
      violation = Violation.DEPTH;
      break;
    }
    const record = value as Record<string, unknown>;
    // A binary placeholder left in place: the parser did not swap it for an attachment,
    // so it was forged (the CVE-2022-2421 shape). Socket.io clients never send one.
    if (record._placeholder === true) {
      violation = Violation.NON_PLAIN;
      break;
    }
    let keys = 0;
    // `for…in` sees an own `__proto__` key (a data property from JSON.parse), and
    // `record[key]` reads that own property, not the inherited accessor.
    for (const key in record) {
      if (++keys > maxKeys) {
        violation = Violation.KEYS;
        break walk;
      }
      const child = record[key];
      if (refusePrototypeKeys && isPrototypeKey(key, child)) {
        violation = Violation.PROTOTYPE_KEY;
        break walk;
      }
      if (typeof child === 'string') {
        if (child.length > maxStringLength) {
          violation = Violation.STRING_LENGTH;
          break walk;
        }
      } else if (typeof child !== 'number' && typeof child !== 'boolean' && child !== null) {
        stackValues.push(child);
        stackDepths.push(depth + 1);
      }
    }
  }
  // A refused walk stops early: drop what is left so no payload outlives the check.
  if (violation !== Violation.OK) clearStack();
  return violation;
}
