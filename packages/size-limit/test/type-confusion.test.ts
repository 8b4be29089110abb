import { connectClient, emitWithAck } from '@portcullis/testing';
import { Server } from 'socket.io';
import { RawClient, guardedServer } from './helpers';

type Reviver = (this: unknown, key: string, value: unknown) => unknown;
interface ParserModule {
  Encoder: new () => object;
  Decoder: new (options?: { reviver?: Reviver }) => object;
}

/**
 * The socket.io-parser Socket.io itself loaded (not a dependency of this package). A
 * server that is never attached opens nothing, so there is nothing to close.
 */
function installedParser(): ParserModule {
  return (new Server() as unknown as { _parser: ParserModule })._parser;
}

class Example {
  constructor(readonly field = 1) {}
}

/**
 * Stands in for a parser that hands the application more than JSON: an old
 * socket.io-parser whose forged placeholders resolved to `[][num]` (a function for
 * `"toString"`, `Array.prototype` for `"__proto__"`), or a custom parser (msgpack
 * extensions) that builds Dates, Maps and class instances. Built on the real decoder
 * with a JSON reviver.
 */
const reviver: Reviver = (_key, value) => {
  if (typeof value !== 'object' || value === null || !('$make' in value)) return value;
  switch ((value as { $make: string }).$make) {
    case 'function':
      return ([] as unknown as Record<string, unknown>)['toString'];
    case 'arrayPrototype':
      return Array.prototype;
    case 'date':
      return new Date(0);
    case 'map':
      return new Map([['a', 1]]);
    case 'instance':
      return new Example();
    case 'subclassedArray':
      return Object.setPrototypeOf([1, 2], Example.prototype) as unknown;
    case 'nullPrototype':
      return Object.assign(Object.create(null) as object, { a: 1 });
    default:
      return value;
  }
};

async function serverWithRevivingParser() {
  const parser = installedParser();
  class RevivingDecoder extends parser.Decoder {
    constructor() {
      super({ reviver });
    }
  }
  return guardedServer(
    {},
    { maxHttpBufferSize: 131_072, parser: { Encoder: parser.Encoder, Decoder: RevivingDecoder } },
  );
}

describe('size-limit: type confusion', () => {
  it.each(['function', 'arrayPrototype', 'date', 'map', 'instance', 'subclassedArray'])(
    'refuses an argument that decodes to a %s before any handler sees it',
    async (shape) => {
      const { server, handled } = await serverWithRevivingParser();
      const client = await connectClient(server.url);
      const reply = await emitWithAck(client, 'e', { nested: [{ $make: shape }] });
      expect(reply).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [{ path: '', type: 'plainData' }] },
      });
      expect(handled).toEqual([]);
      expect(await emitWithAck(client, 'e', { plain: [1, 'two', null, true] })).toEqual({
        ok: true,
        args: 1,
      });
      expect(handled).toEqual(['e']);
    },
  );

  it('accepts objects without a prototype (they cannot pollute anything)', async () => {
    const { server, handled } = await serverWithRevivingParser();
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'e', { $make: 'nullPrototype' })).toEqual({
      ok: true,
      args: 1,
    });
    expect(handled).toEqual(['e']);
  });

  it('refuses a forged binary placeholder in a text packet (the CVE-2022-2421 shape)', async () => {
    const { server, handled } = await guardedServer();
    const raw = await RawClient.connect(server.url);
    const reply = await raw.emitWithAck(1, 'e', '{"_placeholder":true,"num":"toString"}');
    expect(reply).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await raw.emitWithAck(2, 'e', '{"placeholder":true}')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['e']);
  });

  it('refuses an event packet without a payload as a bad event name, not as a server failure', async () => {
    const { server, handled } = await guardedServer();
    const raw = await RawClient.connect(server.url);
    // `421` and `42` parse: Socket.io hands the middleware an argument array of its own
    // (just the ack, or nothing), which no frame was measured for.
    raw.send('421');
    const reply = await raw.next((text) => text.startsWith('431['));
    expect(JSON.parse(reply.slice(3))).toEqual([
      {
        error: expect.objectContaining({
          code: 'VALIDATION_FAILED',
          details: [{ path: '', type: 'eventName' }],
        }),
      },
    ]);
    raw.send('42');
    expect(await raw.nextEvent('portcullis:error')).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: '', type: 'eventName' }],
    });
    expect(await raw.emitWithAck(2, 'e', '1')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['e']);
  });

  it('refuses binary data on an event that takes none, and accepts it where allowed', async () => {
    const { server, handled } = await guardedServer({
      events: { 'file:upload': { binary: true } },
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'chat', { text: Buffer.from('hi') })).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ type: 'binary' }] },
    });
    expect(await emitWithAck(client, 'file:upload', new Uint8Array([1, 2, 3]))).toEqual({
      ok: true,
      args: 1,
    });
    expect(handled).toEqual(['file:upload']);
  });
});
