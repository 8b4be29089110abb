import { connectClient, emitWithAck, waitFor } from '@portcullis/testing';
import { RawClient, deepArrayJson, guardedServer } from './helpers';

/** `value` wrapped in `depth` arrays. */
function nest(depth: number, value: unknown = 0): unknown {
  let result = value;
  for (let level = 0; level < depth; level++) result = [result];
  return result;
}

function objectWithKeys(count: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (let index = 0; index < count; index++) result[`k${index}`] = index;
  return result;
}

describe('size-limit: structure limits against JSON bombs', () => {
  it('refuses a payload nested 10 000 levels deep without crashing, and keeps serving', async () => {
    const { server, handled } = await guardedServer();
    // socket.io-client would recurse over such a payload; a raw client just sends it.
    const raw = await RawClient.connect(server.url);
    const honest = await connectClient(server.url);
    const reply = await raw.emitWithAck(1, 'nested', deepArrayJson(10_000));
    expect(reply).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth', max: 32 } },
    });
    const objects = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expect(await raw.emitWithAck(2, 'nested', objects)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth' } },
    });
    expect(raw.isOpen).toBe(true);
    expect(await raw.emitWithAck(3, 'nested', '[[1]]')).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(honest, 'chat', 'hi')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['nested', 'chat']);
  });

  it('accepts maxDepth levels and refuses one more, in arrays and objects', async () => {
    const { server, handled } = await guardedServer({ maxDepth: 8 });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'nested', nest(8))).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'nested', 'flat', nest(9))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth', max: 8 } },
    });
    let objects: unknown = 'leaf';
    for (let level = 0; level < 9; level++) objects = { child: objects };
    expect(await emitWithAck(client, 'nested', objects)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth' } },
    });
    expect(handled).toEqual(['nested']);
  });

  it('disconnects, with a code, a binary packet too deep for Socket.io to decode', async () => {
    const { server, handled, bus } = await guardedServer();
    const forced: string[] = [];
    bus.on((event) => {
      if (event.type === 'forced_disconnect') forced.push(event.code ?? '');
    });
    const raw = await RawClient.connect(server.url);
    const honest = await connectClient(server.url);
    // Socket.io rebuilds binary packets recursively and would overflow its stack on this
    // header; the guard reads the frame first and closes the connection with a reason.
    const depth = 10_000;
    raw.send(
      `451-["nested",${'['.repeat(depth)}{"_placeholder":true,"num":0}${']'.repeat(depth)}]`,
    );
    raw.send(Buffer.from([1, 2, 3]));
    const told = await raw.nextEvent('portcullis:disconnect');
    expect(told).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await raw.closed;
    expect(forced).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(await emitWithAck(honest, 'chat', 'hi')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['chat']);
  });

  it('refuses a moderately deep binary packet gracefully, keeping the connection', async () => {
    const { server, handled } = await guardedServer({
      events: { nested: { binary: true } },
    });
    const raw = await RawClient.connect(server.url);
    raw.send(`451-1["nested",${JSON.stringify(nest(40, { _placeholder: true, num: 0 }))}]`);
    raw.send(Buffer.from([1]));
    const reply = await raw.next((text) => text.startsWith('431['));
    expect(JSON.parse(reply.slice(3))).toMatchObject([
      { error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth' } } },
    ]);
    expect(raw.isOpen).toBe(true);
    expect(handled).toEqual([]);
  });

  it('limits keys per object, array length and string length', async () => {
    const { server, handled } = await guardedServer({
      maxKeys: 100,
      maxArrayLength: 500,
      maxStringLength: 300,
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'e', objectWithKeys(100))).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'e', { inner: objectWithKeys(101) })).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxKeys', max: 100 } },
    });
    expect(await emitWithAck(client, 'e', new Array(500).fill(0))).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'e', [new Array(501).fill(0)])).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxArrayLength', max: 500 } },
    });
    expect(await emitWithAck(client, 'e', 'x'.repeat(300))).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'e', { deep: ['x'.repeat(301)] })).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxStringLength', max: 300 } },
    });
    expect(handled).toEqual(['e', 'e', 'e']);
  });

  it('refuses wide objects and long arrays under the default limits', async () => {
    const { server, handled } = await guardedServer();
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'e', objectWithKeys(1000))).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'e', objectWithKeys(1001))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxKeys', max: 1000 } },
    });
    expect(await emitWithAck(client, 'e', new Array(10_001).fill(0))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxArrayLength', max: 10_000 } },
    });
    expect(handled).toEqual(['e']);
  });

  it('applies per-event structure limits', async () => {
    const { server } = await guardedServer({ maxDepth: 4, events: { nested: { maxDepth: 20 } } });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'nested', nest(20))).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'e', nest(5))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { max: 4 } },
    });
    const limits = waitFor(client, 'portcullis:error');
    client.emit('chat', nest(5));
    expect((await limits)[0]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', event: 'chat' });
  });
});
