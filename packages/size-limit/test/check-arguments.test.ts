import { resolveOptions } from '../src/options';
import { Violation, checkArguments } from '../src/structure';

const limits = resolveOptions({ maxDepth: 3, maxKeys: 2, maxArrayLength: 2 }).defaults;
const ack = (): void => undefined;

describe('checkArguments (the structure walk on its own)', () => {
  it.each<[string, unknown[], Violation]>([
    ['plain data', ['e', 1, 'a', null, true, { a: [1, { b: 2 }] }], Violation.OK],
    ['the trailing ack function', ['e', { a: 1 }, ack], Violation.OK],
    ['no arguments', ['e'], Violation.OK],
    [
      'a numeric event name (Socket.io would run the listener for "7")',
      [7, 'x'],
      Violation.EVENT_NAME,
    ],
    ['an object as event name', [{ toString: 'x' }, 1], Violation.EVENT_NAME],
    ['a function before the last argument', ['e', ack, 1], Violation.NON_PLAIN],
    ['a nested function', ['e', { a: ack }, ack], Violation.NON_PLAIN],
    ['a symbol', ['e', [Symbol('s')]], Violation.NON_PLAIN],
    ['a bigint', ['e', { n: 1n }], Violation.NON_PLAIN],
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
  ])('%s', (_name, packet, expected) => {
    expect(checkArguments(packet, limits)).toBe(expected);
  });

  it('counts attachments where binary is allowed', () => {
    const binary = resolveOptions({ binary: true, maxAttachments: 1 }).defaults;
    expect(checkArguments(['e', Buffer.alloc(1)], binary)).toBe(Violation.OK);
    expect(checkArguments(['e', [Buffer.alloc(1), Buffer.alloc(1)]], binary)).toBe(
      Violation.ATTACHMENTS,
    );
  });

  it('lets prototype keys through only with allowPrototypeKeys', () => {
    const unsafe = resolveOptions({ allowPrototypeKeys: true }).defaults;
    const packet = ['e', JSON.parse('{"__proto__":{"a":1},"constructor":{"prototype":{}}}')];
    expect(checkArguments(packet, limits)).toBe(Violation.PROTOTYPE_KEY);
    expect(checkArguments(packet, unsafe)).toBe(Violation.OK);
  });

  it('leaves nothing behind after a refusal: the next message is judged alone', () => {
    const wide = { a: { x: 1 }, b: { y: [1] } };
    expect(checkArguments(['e', wide, [[[[1]]]]], limits)).toBe(Violation.DEPTH);
    expect(checkArguments(['e', 'fine'], limits)).toBe(Violation.OK);
  });

  it('walks a 100 000-level payload without recursion', () => {
    let deep: unknown = 0;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(checkArguments(['e', deep], resolveOptions({ maxDepth: 1000 }).defaults)).toBe(
      Violation.DEPTH,
    );
  });
});
