import { RawClient, guardedServer } from './helpers';

const BAD_NAME = {
  error: { code: 'VALIDATION_FAILED', details: [{ path: '', type: 'eventName' }] },
};

/** The reply to `43<id>[…]`, parsed. */
async function ackOf(raw: RawClient, id: number): Promise<unknown> {
  const reply = await raw.next((text) => text.startsWith(`43${id}[`));
  return (JSON.parse(reply.slice(`43${id}`.length)) as unknown[])[0];
}

describe('size-limit: event names', () => {
  it("refuses a number as event name, which Socket.io would dispatch to the '1' listener past its limits", async () => {
    const { server, handled } = await guardedServer({
      events: { '1': { maxBytes: 200 } },
    });
    const raw = await RawClient.connect(server.url);
    const big = JSON.stringify({ text: 'x'.repeat(300) });
    // Sent as the string '1', the event's own 200-byte limit applies.
    expect(await raw.emitWithAck(1, '1', big)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxBytes', max: 200 } },
    });
    // Sent as the number 1 (socket.io-client never does, the wire allows it): refused,
    // small or large, instead of running the '1' handler under the default limits.
    raw.send(`422[1,${big}]`);
    expect(await ackOf(raw, 2)).toMatchObject(BAD_NAME);
    raw.send('423[1,{"a":1}]');
    expect(await ackOf(raw, 3)).toMatchObject(BAD_NAME);
    raw.send('42[1.5,{"a":1}]');
    expect(await raw.nextEvent('portcullis:error')).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ type: 'eventName' }],
    });
    expect(handled).toEqual([]);
    expect(await raw.emitWithAck(4, '1', '{"a":1}')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['1']);
  });

  it('refuses a number as the name of a binary packet', async () => {
    const { server, handled } = await guardedServer({ binary: true });
    const raw = await RawClient.connect(server.url);
    raw.send('451-1[1,{"_placeholder":true,"num":0}]');
    raw.send(Buffer.from([1, 2, 3]));
    expect(await ackOf(raw, 1)).toMatchObject(BAD_NAME);
    expect(handled).toEqual([]);
  });
});
