import fc from 'fast-check';

/**
 * Generators of what a hostile client can put on the wire, as Engine.IO v4 /
 * Socket.IO v5 frames. Payloads are built as JSON text, not with JSON.stringify, so they
 * can hold what no serializer writes: duplicate and `__proto__` keys, numbers beyond
 * double precision, lone surrogates, nesting thousands of levels deep.
 */

/** Stands for a valid token of the case's user; replaced when the case runs. */
export const TOKEN = '$TOKEN';

export type FuzzFrame =
  | { readonly kind: 'text'; readonly data: string }
  | { readonly kind: 'binary'; readonly data: Uint8Array }
  /** A text frame whose bytes are not valid UTF-8. */
  | { readonly kind: 'invalid-utf8'; readonly data: Uint8Array };

export type Handshake =
  /** `40{"token":…}` with a valid token, waiting for the server's answer. */
  | { readonly kind: 'valid' }
  /** No CONNECT: the frames reach an Engine.IO connection that joined no namespace. */
  | { readonly kind: 'none' }
  /** A generated frame in place of the CONNECT. */
  | { readonly kind: 'raw'; readonly frame: FuzzFrame };

export interface FuzzCase {
  readonly handshake: Handshake;
  readonly frames: readonly FuzzFrame[];
}

const text = (data: string): FuzzFrame => ({ kind: 'text', data });

/** Numbers at the edges, as JSON text (some beyond what a double holds). */
export const edgeNumber = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '1e308',
    '-1e308',
    '1e309',
    '-1e309',
    '5e-324',
    '1e-400',
    '9007199254740991',
    '9007199254740993',
    '-9007199254740993',
    '2147483648',
    '4294967296',
    '1'.padEnd(400, '0'),
    '0.'.padEnd(400, '9'),
  ),
  fc.double().map((value) => JSON.stringify(value)),
  fc.integer().map(String),
);

/** Keys that reach prototypes, the placeholder machinery, or the chat app's fields. */
const specialKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '_placeholder',
  'num',
  'roomId',
  'text',
  'token',
  '',
);

const specialString = fc.constantFrom(
  '"\\ud800"',
  '"\\udfff"',
  '"\\ud83d\\u0000"',
  '"<script>alert(1)</script>"',
  '"<img src=x onerror=alert(1)>"',
  '"javascript:alert(1)"',
  '"__proto__"',
  '"constructor"',
  '"\\u0000\\u0001\\u001f"',
  '"lobby"',
);

const stringText = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((value) => JSON.stringify(value)),
  },
  { weight: 2, arbitrary: specialString },
);

/** Any JSON value as text, shallow, with hostile keys and values. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{
  value: string;
  array: string;
  object: string;
}>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    stringText,
    edgeNumber,
    fc.constantFrom('true', 'false', 'null', '{"_placeholder":true,"num":0}'),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(fc.oneof(specialKey, fc.string({ maxLength: 8 })), tie('value')), {
      maxLength: 4,
    })
    .map(
      (entries) =>
        `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`,
    ),
})).value;

/** Payloads nested far past every depth limit (JSON bombs). */
export const deepJson = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 30, max: 100 }), fc.integer({ min: 100, max: 30_000 })),
    shape: fc.constantFrom('array', 'object', 'placeholder'),
  })
  .map(({ depth, shape }) => {
    switch (shape) {
      case 'array':
        return '['.repeat(depth) + ']'.repeat(depth);
      case 'object':
        return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      default:
        return '['.repeat(depth) + '{"_placeholder":true,"num":0}' + ']'.repeat(depth);
    }
  });

/** Strings over the size limit (64 KiB) and over the engine's buffer (128 KiB). */
export const hugeJson = fc.constantFrom(70_000, 140_000).map((length) => `"${'A'.repeat(length)}"`);

const knownEvent = fc.constantFrom(
  'chat:send',
  'chat:join',
  'chat:leave',
  'admin:broadcast',
  'portcullis:refresh',
);
const reservedEvent = fc.constantFrom(
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'error',
  'message',
  'portcullis:error',
  'portcullis:disconnect',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
);

/** The event name slot: names the app knows, reserved ones, and non-strings. */
export const eventName = fc.oneof(
  { weight: 4, arbitrary: knownEvent.map((name) => JSON.stringify(name)) },
  { weight: 2, arbitrary: reservedEvent.map((name) => JSON.stringify(name)) },
  { weight: 1, arbitrary: stringText },
  { weight: 1, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom('null', '{}', '[]', '{"__proto__":{}}', 'true') },
);

/** The ack id slot: none, small, huge, with leading zeros, not a number at all. */
export const ackId = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.nat({ max: 1000 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0',
      '007',
      '2147483648',
      '4294967296',
      '9007199254740993',
      '99999999999999999999999999',
      '1'.padEnd(400, '0'),
    ),
  },
);

/** The namespace slot (with its comma): main, unknown, malformed, very long. */
export const namespace = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/,',
      '/bogus,',
      '/admin,',
      '//,',
      '/../,',
      '/__proto__,',
      '/constructor,',
      '/%00,',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 20 }).map((name) => `/${name.replace(/,/g, '')},`),
  },
  { weight: 1, arbitrary: fc.constant(`/${'n'.repeat(10_000)},`) },
  { weight: 1, arbitrary: fc.constant('/bogus') },
);

/** The attachment count of a binary packet: plausible, huge, negative, not a number. */
export const attachmentCount = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map(String),
  fc.constantFrom('1000000', '4294967296', '99999999999999999999', '-1', '', 'a', '1e3', '0x10'),
);

const argument = fc.oneof(
  { weight: 6, arbitrary: jsonText },
  { weight: 2, arbitrary: deepJson },
  { weight: 1, arbitrary: hugeJson },
  {
    weight: 1,
    arbitrary: fc
      .oneof(edgeNumber, fc.constantFrom('"splice"', '"__proto__"', '"0"', 'null', '{}'))
      .map((num) => `{"_placeholder":true,"num":${num}}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"roomId":"lobby","text":"hi"}',
      '{"roomId":"lobby","text":"hi","__proto__":{"isAdmin":true}}',
      '{"roomId":"lobby","text":"hi","constructor":{"prototype":{"polluted":true}}}',
      '"lobby"',
    ),
  },
);

/** Random bytes, and bytes that look like a Socket.IO packet sent as binary. */
export const binaryBytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc
    .constantFrom(
      '42["chat:send",{"roomId":"lobby","text":"hi"}]',
      '40',
      '451-["chat:send",{"_placeholder":true,"num":0}]',
    )
    .map((packet) => new Uint8Array(Buffer.from(packet))),
);

/** A Socket.IO packet of any type, with every slot generated. */
export const socketIoPacket = fc
  .record({
    type: fc.constantFrom('2', '2', '2', '2', '3', '5', '5', '6', '0', '1', '4', '7', '9', 'x', ''),
    attachments: attachmentCount,
    nsp: namespace,
    id: ackId,
    name: eventName,
    args: fc.array(argument, { maxLength: 3 }),
    // Binary frames after a binary packet: fewer, as many, or more than announced.
    binaries: fc.array(binaryBytes, { maxLength: 3 }),
  })
  .map(({ type, attachments, nsp, id, name, args, binaries }): FuzzFrame[] => {
    const binary = type === '5' || type === '6';
    const header = `4${type}${binary ? `${attachments}-` : ''}${nsp}${id}`;
    const body =
      type === '3' || type === '6' ? `[${args.join(',')}]` : `[${[name, ...args].join(',')}]`;
    const frames: FuzzFrame[] = [text(header + body)];
    if (binary) for (const data of binaries) frames.push({ kind: 'binary', data });
    return frames;
  });

/**
 * A packet Socket.IO parses without complaint (so it reaches the guards), with hostile
 * content: any event name, ack id and arguments, or a binary event whose attachments
 * match its placeholders.
 */
export const wellFormedEvent = fc.oneof(
  fc
    .record({ id: ackId, name: eventName, args: fc.array(argument, { maxLength: 3 }) })
    .map(({ id, name, args }): FuzzFrame[] => [text(`42${id}[${[name, ...args].join(',')}]`)]),
  fc
    .record({
      id: ackId,
      name: knownEvent.map((event) => JSON.stringify(event)),
      binaries: fc.array(binaryBytes, { minLength: 1, maxLength: 3 }),
      wrap: fc.constantFrom('bare', 'object', 'deep'),
    })
    .map(({ id, name, binaries, wrap }): FuzzFrame[] => {
      const placeholders = binaries.map((_bytes, num) => {
        const placeholder = `{"_placeholder":true,"num":${num}}`;
        if (wrap === 'object') return `{"roomId":"lobby","text":${placeholder}}`;
        if (wrap === 'deep') return '['.repeat(40) + placeholder + ']'.repeat(40);
        return placeholder;
      });
      return [
        text(`45${binaries.length}-${id}[${[name, ...placeholders].join(',')}]`),
        ...binaries.map((data): FuzzFrame => ({ kind: 'binary', data })),
      ];
    }),
);

const validSend = '42["chat:send",{"roomId":"lobby","text":"hello"}]';
const validJoin = '421["chat:join","lobby"]';

/** A valid packet cut short, with a character inserted, or with one replaced. */
export const mutatedPacket = fc
  .record({
    base: fc.constantFrom(
      validSend,
      validJoin,
      '40{"token":"$TOKEN"}',
      '451-["chat:send",{"_placeholder":true,"num":0}]',
    ),
    at: fc.nat(),
    char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    how: fc.constantFrom('truncate', 'insert', 'replace'),
  })
  .map(({ base, at, char, how }) => {
    const index = at % base.length;
    switch (how) {
      case 'truncate':
        return text(base.slice(0, index));
      case 'insert':
        return text(base.slice(0, index) + char + base.slice(index));
      default:
        return text(base.slice(0, index) + char + base.slice(index + 1));
    }
  });

/** Engine.IO packets of every type, valid or not, out of place. */
export const engineFrame = fc.oneof(
  fc
    .constantFrom(
      '',
      ' ',
      '0',
      '1',
      '2',
      '3',
      '2probe',
      '3probe',
      '4',
      '5',
      '6',
      '7',
      '9',
      'b',
      '0{}',
      '6garbage',
    )
    .map(text),
  fc.string({ unit: 'binary', maxLength: 12 }).map(text),
);

/** Text frames whose bytes are not UTF-8 (overlong, lone continuation, surrogate, 0xFF). */
export const invalidUtf8Frame = fc
  .record({
    prefix: fc.constantFrom('42["chat:send",{"roomId":"lobby","text":"', '4', '', '40{"token":"'),
    bad: fc.constantFrom(
      [0xc0, 0xaf],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xff],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xc3],
    ),
    suffix: fc.constantFrom('"}]', '', '"}'),
  })
  .map(({ prefix, bad, suffix }): FuzzFrame => ({
    kind: 'invalid-utf8',
    data: new Uint8Array([...Buffer.from(prefix), ...bad, ...Buffer.from(suffix)]),
  }));

/** A CONNECT packet in any shape: bogus namespaces, auth that is not an object, extra keys. */
export const connectFrame = fc
  .record({
    nsp: namespace,
    auth: fc.oneof(
      fc.constant(`{"token":"${TOKEN}"}`),
      fc.constant(`{"token":"${TOKEN}","__proto__":{"isAdmin":true}}`),
      fc.constant(`{"__proto__":{"token":"${TOKEN}"}}`),
      fc.constant(''),
      jsonText,
      fc.constantFrom(
        '{"token":123}',
        '{"token":null}',
        '{"token":["a"]}',
        '{"token":"a.b.c"}',
        '{"token":"eyJhbGciOiJub25lIn0.e30."}',
      ),
    ),
  })
  .map(({ nsp, auth }) => text(`40${nsp}${auth}`));

/** The same valid message many times at once: past the message rate limits. */
export const burst = fc
  .record({ count: fc.integer({ min: 35, max: 80 }), withAck: fc.boolean() })
  .map(({ count, withAck }) =>
    Array.from({ length: count }, (_unused, index) =>
      text(`42${withAck ? index + 1 : ''}["chat:send",{"roomId":"lobby","text":"burst ${index}"}]`),
    ),
  );

/** One step of a case: usually a Socket.IO packet (with its attachments). */
export const fuzzStep: fc.Arbitrary<FuzzFrame[]> = fc.oneof(
  { weight: 10, arbitrary: wellFormedEvent },
  { weight: 3, arbitrary: socketIoPacket },
  { weight: 2, arbitrary: mutatedPacket.map((frame) => [frame]) },
  { weight: 1, arbitrary: engineFrame.map((frame) => [frame]) },
  { weight: 1, arbitrary: binaryBytes.map((data): FuzzFrame[] => [{ kind: 'binary', data }]) },
  { weight: 1, arbitrary: invalidUtf8Frame.map((frame) => [frame]) },
  { weight: 1, arbitrary: connectFrame.map((frame) => [frame]) },
  { weight: 1, arbitrary: burst },
);

/** A whole case: how the client joins (or not), then a few generated steps. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  handshake: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Handshake>({ kind: 'valid' }) },
    { weight: 1, arbitrary: fc.constant<Handshake>({ kind: 'none' }) },
    { weight: 2, arbitrary: connectFrame.map((frame): Handshake => ({ kind: 'raw', frame })) },
  ),
  frames: fc.array(fuzzStep, { minLength: 1, maxLength: 8 }).map((steps) => steps.flat()),
});
