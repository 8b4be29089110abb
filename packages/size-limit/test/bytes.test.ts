import { GuardError, usePacketGuards } from '@portcullis/core';
import {
  connectClient,
  createClient,
  emitWithAck,
  expectSilence,
  onCleanup,
  startServer,
  waitFor,
} from '@portcullis/testing';
import { Manager } from 'socket.io-client';
import { sizeLimitGuard } from '../src';
import { RawClient, disconnectReason, guardedServer } from './helpers';

/** A string that makes the raw frame `42<id>["e","<string>"]` exactly `bytes` long, in 2-byte characters. */
function stringForFrame(bytes: number, id: number): string {
  const overhead = Buffer.byteLength(`42${id}["e",""]`);
  const payload = bytes - overhead;
  return 'é'.repeat(Math.floor(payload / 2)) + 'a'.repeat(payload % 2);
}

describe('size-limit: bytes measured on the raw frame', () => {
  it('refuses a 1 MB message with PAYLOAD_TOO_LARGE and keeps serving everyone', async () => {
    // The engine accepts 2 MB here on purpose, so the 1 MB frame reaches the guard.
    const { server, handled } = await guardedServer(
      { warnOnServerOptions: false },
      { maxHttpBufferSize: 2_000_000 },
    );
    const attacker = await connectClient(server.url);
    const honest = await connectClient(server.url);
    const reply = await emitWithAck(attacker, 'chat', 'x'.repeat(1_000_000));
    expect(reply).toEqual({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: new GuardError('PAYLOAD_TOO_LARGE').message,
        retryable: false,
        info: { limit: 'maxBytes', max: 65_536, limitBytes: 65_536 },
      },
    });
    expect(handled).toEqual([]);
    expect(await emitWithAck(honest, 'chat', 'hello')).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(attacker, 'chat', 'sorry')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['chat', 'chat']);
  });

  it('answers a refused message without an ack on portcullis:error', async () => {
    const { server, handled } = await guardedServer({ maxBytes: 1000 });
    const client = await connectClient(server.url);
    const refused = waitFor(client, 'portcullis:error');
    client.emit('chat', 'x'.repeat(1500));
    expect((await refused)[0]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', event: 'chat' });
    expect(handled).toEqual([]);
  });

  it('accepts a frame of exactly maxBytes (UTF-8 bytes, not characters) and refuses one more', async () => {
    const { server, handled } = await guardedServer({ maxBytes: 1000 });
    const raw = await RawClient.connect(server.url);
    const exact = stringForFrame(1000, 1);
    expect(Buffer.byteLength(`421["e",${JSON.stringify(exact)}]`)).toBe(1000);
    // 1000 bytes but fewer than 600 characters: a character count would be wrong.
    expect(exact.length).toBeLessThan(600);
    expect(await raw.emitWithAck(1, 'e', JSON.stringify(exact))).toEqual({ ok: true, args: 1 });
    const over = stringForFrame(1001, 2);
    expect(await raw.emitWithAck(2, 'e', JSON.stringify(over))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limitBytes: 1000 } },
    });
    expect(handled).toEqual(['e']);
  });

  it('measures every packet of a batch on its own (many packets in one polling request)', async () => {
    const { server, handled } = await guardedServer(
      // One polling request carries every packet, so the engine must accept all of them.
      { maxBytes: 5000, warnOnServerOptions: false },
      { maxHttpBufferSize: 200_000 },
    );
    // Polling sends everything emitted in one tick in a single HTTP request, so the
    // server decodes all packets before it dispatches the first.
    const client = createClient(server.url, { transports: ['polling'] });
    await waitFor(client, 'connect');
    const sizes = [10, 6000, 20, 9000, 4900, 5100, 30];
    const replies = await Promise.all(
      sizes.map((size) => client.timeout(5000).emitWithAck('chat', 'x'.repeat(size))),
    );
    const verdicts = replies.map((reply) =>
      (reply as { ok?: boolean }).ok === true
        ? 'ok'
        : (reply as { error: { code: string } }).error.code,
    );
    expect(verdicts).toEqual([
      'ok',
      'PAYLOAD_TOO_LARGE',
      'ok',
      'PAYLOAD_TOO_LARGE',
      'ok',
      'PAYLOAD_TOO_LARGE',
      'ok',
    ]);
    expect(handled).toHaveLength(4);
  });

  it('keeps two guards on namespaces of one connection apart', async () => {
    const handled: string[] = [];
    const server = await startServer({
      serverOptions: { maxHttpBufferSize: 131_072 },
      setup(io) {
        usePacketGuards(io, sizeLimitGuard({ maxBytes: 100, warnOnServerOptions: false }));
        usePacketGuards(io.of('/big'), sizeLimitGuard());
        for (const nsp of [io.of('/'), io.of('/big')]) {
          nsp.on('connection', (socket) =>
            socket.on('e', (_text: string, ack: (reply: unknown) => void) => {
              handled.push(nsp.name);
              ack({ ok: true });
            }),
          );
        }
      },
    });
    // One engine.io connection carrying both namespaces.
    const manager = new Manager(server.url, { transports: ['websocket'], reconnection: false });
    const small = manager.socket('/');
    const big = manager.socket('/big');
    onCleanup(() => {
      small.disconnect();
      big.disconnect();
    });
    await Promise.all([waitFor(small, 'connect'), waitFor(big, 'connect')]);
    // 60 two-byte characters: under 100 characters, over 100 bytes.
    const text = 'é'.repeat(60);
    expect(await big.timeout(5000).emitWithAck('e', text)).toEqual({ ok: true });
    expect(await small.timeout(5000).emitWithAck('e', text)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limitBytes: 100 } },
    });
    expect(handled).toEqual(['/big']);
  });

  it('applies per-event limits and falls back to the default for other events', async () => {
    const { server, handled } = await guardedServer({
      maxBytes: 10_000,
      events: { 'file:upload': { maxBytes: 200_000 } },
    });
    const client = await connectClient(server.url);
    const body = 'x'.repeat(100_000);
    expect(await emitWithAck(client, 'file:upload', body)).toEqual({ ok: true, args: 1 });
    expect(await emitWithAck(client, 'chat', body)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limitBytes: 10_000 } },
    });
    expect(await emitWithAck(client, 'file:upload', 'x'.repeat(200_001))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limitBytes: 200_000 } },
    });
    expect(handled).toEqual(['file:upload']);
  });

  it('counts binary attachments in the bytes and in the attachment count', async () => {
    const { server, handled } = await guardedServer({
      events: { 'file:upload': { maxBytes: 10_000, binary: true, maxAttachments: 2 } },
    });
    const client = await connectClient(server.url);
    // A small header and a 5 KB attachment: fits.
    expect(await emitWithAck(client, 'file:upload', { name: 'a' }, Buffer.alloc(5000))).toEqual({
      ok: true,
      args: 2,
    });
    // Two 6 KB attachments, each frame under the limit, 12 KB together: refused.
    expect(
      await emitWithAck(client, 'file:upload', Buffer.alloc(6000), Buffer.alloc(6000)),
    ).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', info: { limitBytes: 10_000 } } });
    // Three tiny attachments: over maxAttachments.
    expect(
      await emitWithAck(client, 'file:upload', [Buffer.alloc(1), Buffer.alloc(1), Buffer.alloc(1)]),
    ).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxAttachments', max: 2 } },
    });
    // Binary where the event takes none.
    expect(await emitWithAck(client, 'chat', Buffer.alloc(10))).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: '', type: 'binary' }] },
    });
    expect(handled).toEqual(['file:upload']);
  });

  it("leaves the cut to core's escalation: the 10th oversized message in 10 s disconnects", async () => {
    // A fixed clock: every refusal falls in one escalation window, however slow the machine.
    const { server, handled, bus } = await guardedServer({ maxBytes: 1000 }, undefined, undefined, {
      now: () => 1_000_000,
    });
    const forced: { code?: string; guard?: string }[] = [];
    bus.on((event) => {
      if (event.type === 'forced_disconnect') {
        forced.push({ code: event.code, guard: event.guard });
      }
    });
    const attacker = await connectClient(server.url);
    const honest = await connectClient(server.url);
    const told = waitFor(attacker, 'portcullis:disconnect');
    const gone = disconnectReason(attacker);
    // PAYLOAD_TOO_LARGE weighs 5 against core's default of 50: nine refusals are not enough.
    for (let round = 0; round < 9; round++) {
      expect(await emitWithAck(attacker, 'chat', 'x'.repeat(1500))).toMatchObject({
        error: { code: 'PAYLOAD_TOO_LARGE' },
      });
    }
    expect(attacker.connected).toBe(true);
    attacker.emit('chat', 'x'.repeat(1500));
    expect((await told)[0]).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'Too many refused messages.',
    });
    expect(await gone).toBe('io server disconnect');
    expect(forced).toEqual([{ code: 'RATE_LIMITED', guard: 'escalation' }]);
    expect(await emitWithAck(honest, 'chat', 'still here')).toEqual({ ok: true, args: 1 });
    expect(handled).toEqual(['chat']);
  });

  it('never cuts a socket itself: with escalation off, refused messages only get answers', async () => {
    const { server, handled } = await guardedServer({ maxBytes: 1000 }, undefined, undefined, {
      escalation: false,
    });
    const client = await connectClient(server.url);
    for (let round = 0; round < 12; round++) {
      expect(await emitWithAck(client, 'chat', 'x'.repeat(1500))).toMatchObject({
        error: { code: 'PAYLOAD_TOO_LARGE' },
      });
    }
    expect(await emitWithAck(client, 'chat', 'fine')).toEqual({ ok: true, args: 1 });
    expect(client.connected).toBe(true);
    expect(handled).toEqual(['chat']);
  });

  it('answers a client that asks for the limits, once per connection, and pushes nothing', async () => {
    const asksHandled: unknown[] = [];
    let secondAskHandled: () => void = () => undefined;
    const secondAsk = new Promise<void>((resolve) => (secondAskHandled = resolve));
    const server = await startServer({
      setup(io) {
        usePacketGuards(io, sizeLimitGuard({ maxBytes: 4096 }));
        io.on('connection', (socket) => {
          socket.on('portcullis:limits', (...args: unknown[]) => {
            asksHandled.push(args.length);
            secondAskHandled();
          });
        });
      },
    });
    const client = createClient(server.url);
    const pushed = expectSilence(client, 'portcullis:limits', 400);
    await waitFor(client, 'connect');
    expect(await emitWithAck(client, 'portcullis:limits')).toMatchObject({
      maxBytes: 4096,
      binary: false,
    });
    // Without an ack, the answer comes on the event itself: but only once per connection.
    // This second ask goes down the chain as any message, to the application's handler.
    client.emit('portcullis:limits');
    await secondAsk;
    await pushed;

    // A new connection may ask again; without an ack, it is told on the event.
    const other = createClient(server.url);
    await waitFor(other, 'connect');
    const told = waitFor(other, 'portcullis:limits');
    other.emit('portcullis:limits');
    const [limits] = await told;
    expect(limits).toMatchObject({ maxBytes: 4096 });
    expect(asksHandled).toHaveLength(1);
  });

  it('measures an ask as any message: an oversized one is refused, and not answered', async () => {
    const { server } = await guardedServer(
      { maxBytes: 256, warnOnServerOptions: false },
      { maxHttpBufferSize: 100_000 },
    );
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'portcullis:limits', 'x'.repeat(1000))).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(await emitWithAck(client, 'portcullis:limits')).toMatchObject({ maxBytes: 256 });
  });

  it("with sendLimits 'on-connect', sends the effective limits to each client as it connects", async () => {
    const { server } = await guardedServer({
      maxBytes: 4096,
      events: { 'file:upload': { maxBytes: 100_000, binary: true } },
      sendLimits: 'on-connect',
    });
    const client = createClient(server.url);
    const [limits] = await waitFor(client, 'portcullis:limits');
    expect(limits).toEqual({
      maxBytes: 4096,
      maxDepth: 32,
      maxKeys: 1000,
      maxArrayLength: 10_000,
      binary: false,
      events: {
        'file:upload': {
          maxBytes: 100_000,
          maxDepth: 32,
          maxKeys: 1000,
          maxArrayLength: 10_000,
          binary: true,
          maxAttachments: 10,
        },
      },
    });
  });
});
