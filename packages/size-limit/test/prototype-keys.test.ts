import { RawClient, guardedServer } from './helpers';

const PROTOTYPE_KEY = {
  error: { code: 'VALIDATION_FAILED', details: [{ path: '', type: 'object.prototypeKey' }] },
};

/**
 * The text is sent as written: `JSON.parse` on the server turns `"__proto__"` into an
 * own key, which socket.io-client could never produce from an object literal.
 */
describe('size-limit: prototype keys', () => {
  it('refuses own __proto__ keys and constructor objects at any depth, with no schema anywhere', async () => {
    const { server, handled } = await guardedServer();
    const raw = await RawClient.connect(server.url);
    for (const [id, payload] of [
      [1, '{"__proto__":{"isAdmin":true}}'],
      [2, '{"profile":{"name":"Ada","__proto__":{"isAdmin":true}}}'],
      [3, '[{"a":[{"__proto__":1}]}]'],
      [4, '{"constructor":{"prototype":{"isAdmin":true}}}'],
      [5, '"second argument", {"deep":{"constructor":[]}}'],
    ] as const) {
      expect(await raw.emitWithAck(id, 'e', payload)).toMatchObject(PROTOTYPE_KEY);
    }
    expect(handled).toEqual([]);
    // Look-alikes and a constructor that holds no object reach no prototype.
    expect(
      await raw.emitWithAck(6, 'e', '{"constructor":"Ada","prototype":{"a":1},"proto":{}}'),
    ).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['e']);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('hands them over only where allowPrototypeKeys opts out, top level or per event', async () => {
    const perEvent = await guardedServer({ events: { nested: { allowPrototypeKeys: true } } });
    const raw = await RawClient.connect(perEvent.server.url);
    const payload = '{"__proto__":{"a":1},"constructor":{"prototype":{}}}';
    expect(await raw.emitWithAck(1, 'nested', payload)).toEqual({ ok: true, args: 1 });
    expect(await raw.emitWithAck(2, 'e', payload)).toMatchObject(PROTOTYPE_KEY);
    expect(perEvent.handled).toEqual(['nested']);

    const everywhere = await guardedServer({ allowPrototypeKeys: true });
    const other = await RawClient.connect(everywhere.server.url);
    expect(await other.emitWithAck(1, 'e', payload)).toEqual({ ok: true, args: 1 });
  });
});
