import {
  FALLBACK_STRUCTURE_LIMITS,
  PayloadFeature,
  StructureViolation as Violation,
  checkPayloadStructure,
  checkedDepthOf,
  ensurePayloadStructure,
  payloadHas,
} from '@portcullis/core';
import { resolveOptions } from '../src/options';

const limits = resolveOptions({ maxDepth: 3, maxKeys: 2, maxArrayLength: 2 }).defaults;
const ack = (): void => undefined;

/** core's `checkPayloadStructure`, the walk size-limit runs on every packet, on its own. */
describe('checkPayloadStructure (the one structure walk)', () => {
  it.each<[string, unknown[], Violation]>([
    ['plain data', ['e', 1, 'a', null, true, { a: [1, { b: 2 }] }], Violation.OK],
    ['the trailing ack function', ['e', { a: 1 }, ack], Violation.OK],
    ['no arguments', ['e'], Violation.OK],
    ['a function before the last argument', ['e', ack, 1], Violation.NON_PLAIN],
    ['a nested function', ['e', { a: ack }, ack], Violation.NON_PLAIN],
    ['a symbol', ['e', [Symbol('s')]], Violation.NON_PLAIN],
    ['a bigint', ['e', { n: 1n }], Violation.NON_PLAIN],
    ['a Date', ['e', { at: new Date(0) }], Violation.NON_PLAIN],
    ['a leftover binary placeholder', ['e', { _placeholder: true, num: 0 }], Violation.NON_PLAIN],
    ['depth 4', ['e', [[[[1]]]]], Violation.DEPTH],
    ['depth 3', ['e', [[[1]]]], Violation.OK],
    ['3 keys', ['e', { a: 1, b: 2, c: 3 }], Violation.KEYS],
    ['3 elements', ['e', [1, 2, 3]], Violation.ARRAY_LENGTH],
    ['binary where none is allowed', ['e', new Uint8Array(1)], Violation.UNEXPECTED_BINARY],
    ['an ArrayBuffer', ['e', { file: new ArrayBuffer(1) }], Violation.UNEXPECTED_BINARY],
    ['an own __proto__ key', ['e', JSON.parse('{"__proto__":{"a":1}}')], Violation.PROTOTYPE_KEY],
    [
      'an own __proto__ key holding a number, deep in an array',
      ['e', JSON.parse('[{"x":{"__proto__":1}}]')],
      Violation.PROTOTYPE_KEY,
    ],
    [
      'constructor holding prototype',
      ['e', 1, { constructor: { prototype: { a: 1 } } }],
      Violation.PROTOTYPE_KEY,
    ],
    ['constructor holding an array', ['e', { constructor: [1] }], Violation.PROTOTYPE_KEY],
    [
      '__proto__ on an object without a prototype',
      [
        'e',
        Object.defineProperty(Object.create(null), '__proto__', { value: 1, enumerable: true }),
      ],
      Violation.PROTOTYPE_KEY,
    ],
    [
      'constructor holding a string, and a lone prototype key',
      ['e', { constructor: 'Ada', prototype: { a: 1 } }],
      Violation.OK,
    ],
    ['keys that only look alike', ['e', { __proto: {}, proto__: {} }], Violation.OK],
    // The event name is the dispatching guard's business (size-limit refuses numbers).
    ['a number as event name', [7, 'x'], Violation.OK],
  ])('%s', (_name, packet, expected) => {
    expect(checkPayloadStructure(packet, limits)).toBe(expected);
  });

  it('counts attachments where binary is allowed', () => {
    const binary = resolveOptions({ binary: true, maxAttachments: 1 }).defaults;
    expect(checkPayloadStructure(['e', Buffer.alloc(1)], binary)).toBe(Violation.OK);
    expect(checkPayloadStructure(['e', [Buffer.alloc(1), Buffer.alloc(1)]], binary)).toBe(
      Violation.ATTACHMENTS,
    );
  });

  it('lets prototype keys through only with allowPrototypeKeys', () => {
    const unsafe = resolveOptions({ allowPrototypeKeys: true }).defaults;
    const packet = ['e', JSON.parse('{"__proto__":{"a":1},"constructor":{"prototype":{}}}')];
    expect(checkPayloadStructure(packet, limits)).toBe(Violation.PROTOTYPE_KEY);
    expect(checkPayloadStructure(packet, unsafe)).toBe(Violation.OK);
  });

  it('treats false as no limit on keys, elements and string length', () => {
    const open = resolveOptions({ maxKeys: false, maxArrayLength: false, maxStringLength: false });
    const wide: Record<string, number> = {};
    for (let index = 0; index < 5000; index++) wide[`k${index}`] = index;
    expect(
      checkPayloadStructure(['e', wide, new Array(50_000).fill(0), 'x'.repeat(1e6)], open.defaults),
    ).toBe(Violation.OK);
  });

  it('leaves nothing behind after a refusal: the next message is judged alone', () => {
    const wide = { a: { x: 1 }, b: { y: [1] } };
    expect(checkPayloadStructure(['e', wide, [[[[1]]]]], limits)).toBe(Violation.DEPTH);
    expect(checkPayloadStructure(['e', 'fine'], limits)).toBe(Violation.OK);
  });

  it('walks a 100 000-level payload without recursion', () => {
    let deep: unknown = 0;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(checkPayloadStructure(['e', deep], resolveOptions({ maxDepth: 1000 }).defaults)).toBe(
      Violation.DEPTH,
    );
  });
});

describe('the mark the walk leaves for validate and sanitize', () => {
  it('marks a packet it lets through with the depth it allowed, and nothing it refuses', () => {
    const passed: unknown[] = ['e', { a: [1] }];
    expect(checkedDepthOf(passed)).toBeUndefined();
    expect(checkPayloadStructure(passed, limits)).toBe(Violation.OK);
    expect(checkedDepthOf(passed)).toBe(3);
    // Invisible to handlers and to JSON.
    expect(Object.keys(passed)).toEqual(['0', '1']);
    expect(JSON.stringify(passed)).toBe('["e",{"a":[1]}]');

    const refused: unknown[] = ['e', [[[[1]]]]];
    expect(checkPayloadStructure(refused, limits)).toBe(Violation.DEPTH);
    expect(checkedDepthOf(refused)).toBeUndefined();
  });

  it('notes binary and the prototype-looking keys it let through', () => {
    const binary = resolveOptions({ binary: true }).defaults;
    const withFile: unknown[] = ['e', { file: Buffer.alloc(1) }];
    checkPayloadStructure(withFile, binary);
    expect(payloadHas(withFile, PayloadFeature.BINARY)).toBe(true);
    expect(payloadHas(withFile, PayloadFeature.CONSTRUCTOR_KEY)).toBe(false);

    const keys: unknown[] = ['e', { constructor: 'Ada', list: [{ prototype: 1 }] }];
    checkPayloadStructure(keys, limits);
    expect(payloadHas(keys, PayloadFeature.CONSTRUCTOR_KEY)).toBe(true);
    expect(payloadHas(keys, PayloadFeature.PROTO_KEY)).toBe(false);
    expect(payloadHas(keys, PayloadFeature.BINARY)).toBe(false);

    const proto: unknown[] = ['e', JSON.parse('{"__proto__":{"a":1}}')];
    checkPayloadStructure(proto, resolveOptions({ allowPrototypeKeys: true }).defaults);
    expect(payloadHas(proto, PayloadFeature.PROTO_KEY)).toBe(true);
  });

  it('walks again only a packet no guard has walked (ensurePayloadStructure)', () => {
    // Checked by size-limit with a generous depth: a later guard trusts that verdict.
    let deep: unknown = 0;
    for (let level = 0; level < 40; level++) deep = [deep];
    const checked: unknown[] = ['e', deep];
    expect(checkPayloadStructure(checked, resolveOptions({ maxDepth: 50 }).defaults)).toBe(
      Violation.OK,
    );
    expect(ensurePayloadStructure(checked, FALLBACK_STRUCTURE_LIMITS)).toBe(Violation.OK);
    // Unchecked (no size-limit in front): the fallback's depth of 32 applies.
    expect(ensurePayloadStructure(['e', deep], FALLBACK_STRUCTURE_LIMITS)).toBe(Violation.DEPTH);
  });
});
