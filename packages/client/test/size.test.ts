import { emitWithAck, waitFor } from '@portcullis/testing';
import { guardClient, measureMessage, readGuardError, type GuardErrorInfo } from '../src';
import { browserLikeClient, chatHandlers, eventually, guardedServer, token } from './helpers';

const sizeLimit = {
  maxBytes: 1_024,
  maxDepth: 8,
  events: { 'file:upload': { maxBytes: 4_096, binary: true, maxAttachments: 2 } },
};

async function connectedGuard(url: string, handledRefusals: [GuardErrorInfo, string][] = []) {
  const socket = browserLikeClient(url, { auth: { token: await token('alice') } });
  const guard = guardClient(socket, {
    onRefusal: (info, source) => handledRefusals.push([info, source]),
  });
  await waitFor(socket, 'connect');
  await eventually(() => guard.limits !== undefined, 5_000, 'portcullis:limits');
  return { socket, guard };
}

/** A `{ text }` message whose frame, as the server measures it, is exactly `bytes` long. */
function textOfSize(bytes: number, ackId: number, filler = 'é'): { text: string } {
  const empty = measureMessage('chat:send', [{ text: '' }], { ack: ackId }).bytes;
  const unit = measureMessage('chat:send', [{ text: filler }], { ack: ackId }).bytes - empty;
  const count = Math.floor((bytes - empty) / unit);
  const rest = bytes - empty - count * unit;
  return { text: filler.repeat(count) + 'a'.repeat(rest) };
}

describe('limits and size pre-checks', () => {
  it('asks for the limits at connect: the server sends them to no one unasked', async () => {
    const { server } = await guardedServer({ sizeLimit });
    const plain = browserLikeClient(server.url, { auth: { token: await token('bob') } });
    const pushed: unknown[] = [];
    plain.on('portcullis:limits', (payload: unknown) => pushed.push(payload));
    await waitFor(plain, 'connect');
    const { guard } = await connectedGuard(server.url);
    expect(guard.limits).toMatchObject({ maxBytes: 1_024 });
    // Over the same time, a socket.io-client without the helper was sent nothing.
    expect(pushed).toEqual([]);
  });

  it('still takes the limits from a server that sends them unasked', async () => {
    const { server } = await guardedServer({
      sizeLimit: { ...sizeLimit, sendLimits: 'on-connect' },
    });
    const plain = browserLikeClient(server.url, { auth: { token: await token('bob') } });
    const [pushed] = await waitFor(plain, 'portcullis:limits');
    expect(pushed).toMatchObject({ maxBytes: 1_024 });
    const { guard } = await connectedGuard(server.url);
    expect(guard.limits).toMatchObject({ maxBytes: 1_024, maxDepth: 8 });
  });

  it('receives the limits the server advertises', async () => {
    const { server } = await guardedServer({ sizeLimit });
    const { guard } = await connectedGuard(server.url);
    expect(guard.limits).toMatchObject({ maxBytes: 1_024, maxDepth: 8, binary: false });
    expect(guard.limits?.events?.['file:upload']).toMatchObject({
      maxBytes: 4_096,
      binary: true,
      maxAttachments: 2,
    });
  });

  it('refuses an oversized message before sending it, as the server would', async () => {
    const handled: unknown[] = [];
    const { server } = await guardedServer({ sizeLimit }, chatHandlers(handled));
    const refusals: [GuardErrorInfo, string][] = [];
    const { socket, guard } = await connectedGuard(server.url, refusals);
    const sent: string[] = [];
    socket.onAnyOutgoing((event: string) => sent.push(event));
    const huge = { text: 'x'.repeat(2_000) };

    const local = guard.checkSize('chat:send', huge);
    expect(local).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      event: 'chat:send',
      local: true,
      info: { limit: 'maxBytes', limitBytes: 1_024 },
    });
    expect(await guard.emitWithAck('chat:send', huge)).toEqual({ error: local });
    expect(guard.emit('chat:send', huge)).toEqual(local);
    expect(sent).toEqual([]);
    expect(refusals.map(([info, source]) => [info.code, source])).toEqual([
      ['PAYLOAD_TOO_LARGE', 'local'],
      ['PAYLOAD_TOO_LARGE', 'local'],
    ]);

    // The server agrees: sent anyway, it is refused with the same code and limit.
    const reply = await emitWithAck(socket, 'chat:send', huge);
    expect(readGuardError(reply)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      info: { limitBytes: 1_024 },
    });
    expect(guard.checkSize('chat:send', { text: 'hello' })).toBeUndefined();
    expect(await guard.emitWithAck('chat:send', { text: 'hello' })).toEqual({ ok: true });
    expect(handled).toEqual([{ text: 'hello' }]);
  });

  it('counts bytes exactly as the server does: UTF-8, ack id included', async () => {
    const { server } = await guardedServer({ sizeLimit });
    const socket = browserLikeClient(server.url, { auth: { token: await token('bob') } });
    await waitFor(socket, 'connect');
    // A fresh socket numbers its acks 0, 1, 2…
    for (const [ackId, filler] of [
      [0, 'é'],
      [1, '😀'],
      [2, '€'],
    ] as const) {
      const fits = textOfSize(1_024, ackId, filler);
      expect(measureMessage('chat:send', [fits], { ack: ackId }).bytes).toBe(1_024);
      expect(await emitWithAck(socket, 'chat:send', fits)).toEqual({ ok: true });
    }
    const over = textOfSize(1_025, 3);
    expect(measureMessage('chat:send', [over], { ack: 3 }).bytes).toBe(1_025);
    expect(readGuardError(await emitWithAck(socket, 'chat:send', over))?.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('counts the namespace, and keeps room for any ack id in checkSize', async () => {
    const { server } = await guardedServer({ sizeLimit }, (io) =>
      io
        .of('/chat')
        .on('connection', (socket) =>
          socket.on('chat:send', (_message: unknown, ack: (reply: unknown) => void) =>
            ack({ ok: true }),
          ),
        ),
    );
    const socket = browserLikeClient(server.url, {
      namespace: '/chat',
      auth: { token: await token('cleo') },
    });
    const guard = guardClient(socket);
    await waitFor(socket, 'connect');
    await eventually(() => guard.limits !== undefined, 5_000, 'portcullis:limits');
    const measure = (message: unknown, ack: boolean | number) =>
      measureMessage('chat:send', [message], { namespace: '/chat', ack }).bytes;

    const fits = textOfSize(1_024 - '/chat,'.length, 0);
    expect(measure(fits, 0)).toBe(1_024);
    expect(await emitWithAck(socket, 'chat:send', fits)).toEqual({ ok: true });
    const over = textOfSize(1_025 - '/chat,'.length, 1);
    expect(measure(over, 1)).toBe(1_025);
    expect(readGuardError(await emitWithAck(socket, 'chat:send', over))?.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );

    // checkSize does not know the next ack id: it counts ten digits for it.
    const reserve = textOfSize(1_024 - '/chat,'.length - 9, 0);
    expect(measure(reserve, true)).toBe(1_024);
    expect(guard.checkSize('chat:send', reserve)).toBeUndefined();
    const oneMore = { text: `${reserve.text}a` };
    expect(guard.checkSize('chat:send', oneMore)?.info).toMatchObject({ bytes: 1_025 });
  });

  it('counts binary attachments and their placeholders exactly', async () => {
    const { server } = await guardedServer({ sizeLimit });
    const socket = browserLikeClient(server.url, { auth: { token: await token('carl') } });
    await waitFor(socket, 'connect');
    const header = measureMessage('file:upload', [{ name: 'a.bin', data: new Uint8Array(0) }], {
      ack: 0,
    });
    expect(header.attachments).toBe(1);
    const fits = new Uint8Array(4_096 - header.bytes);
    expect(measureMessage('file:upload', [{ name: 'a.bin', data: fits }], { ack: 0 }).bytes).toBe(
      4_096,
    );
    expect(await emitWithAck(socket, 'file:upload', { name: 'a.bin', data: fits })).toEqual({
      ok: true,
    });
    const over = new Uint8Array(4_097 - header.bytes);
    const reply = await emitWithAck(socket, 'file:upload', { name: 'a.bin', data: over });
    expect(readGuardError(reply)?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses what the structure limits refuse: depth, binary where none is taken, attachments', async () => {
    // Core's escalation may cut a socket refused too often: here each case is sent anyway.
    const { server } = await guardedServer({ sizeLimit, escalation: false });
    const { socket, guard } = await connectedGuard(server.url);
    let deep: unknown = 'bottom';
    for (let level = 0; level < 9; level++) deep = { deep };
    const cases: [string, unknown[], Partial<GuardErrorInfo>][] = [
      ['chat:send', [deep], { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxDepth', max: 8 } }],
      [
        'chat:send',
        [{ data: new Uint8Array(4) }],
        { code: 'VALIDATION_FAILED', details: [{ path: '', type: 'binary' }] },
      ],
      [
        'file:upload',
        [new Uint8Array(1), new Uint8Array(1), new Uint8Array(1)],
        { code: 'PAYLOAD_TOO_LARGE', info: { limit: 'maxAttachments', max: 2 } },
      ],
    ];
    for (const [event, args, expected] of cases) {
      expect(guard.checkSize(event, ...args)).toMatchObject({ ...expected, local: true });
      const server = readGuardError(await emitWithAck(socket, event, ...args));
      expect(server).toMatchObject(expected);
    }
    // Just inside the depth limit passes both.
    let inside: unknown = 'bottom';
    for (let level = 0; level < 7; level++) inside = { inside };
    expect(guard.checkSize('chat:send', inside)).toBeUndefined();
    expect(await emitWithAck(socket, 'chat:send', inside)).toEqual({ ok: true });
  });

  it('judges nothing before the limits arrive, and what Socket.io cannot send', async () => {
    const { server } = await guardedServer({ sizeLimit });
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('dee') },
      autoConnect: false,
    });
    const guard = guardClient(socket);
    expect(guard.limits).toBeUndefined();
    expect(guard.checkSize('chat:send', { text: 'x'.repeat(5_000) })).toBeUndefined();
    socket.connect();
    await eventually(() => guard.limits !== undefined, 5_000, 'portcullis:limits');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(guard.checkSize('chat:send', cycle)).toMatchObject({
      code: 'VALIDATION_FAILED',
      local: true,
    });
    expect(guard.checkSize('chat:send', { n: 10n })).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
