import {
  GuardError,
  PACKET_HANDLED,
  SecurityEventBus,
  configurePortcullis,
  onPacketRefused,
  usePacketGuards,
  type PacketGuard,
  type SecurityEvent,
} from '@portcullis/core';
import {
  connectClient,
  emitWithAck,
  expectSilence,
  startServer,
  waitFor,
} from '@portcullis/testing';

/** Refuses `forbidden:*` events; answers async for `slow:*`; throws for `crash`. */
const testGuard: PacketGuard = {
  guardName: 'test',
  check(_socket, packet) {
    const [event] = packet;
    if (event.startsWith('forbidden:')) return new GuardError('FORBIDDEN');
    if (event === 'slow:forbidden') return Promise.resolve(new GuardError('FORBIDDEN'));
    if (event === 'slow:ok') return Promise.resolve(undefined);
    if (event === 'crash') throw new Error('secret internals');
    return undefined;
  },
};

const EVENTS = [
  'forbidden:delete',
  'forbidden:x',
  'forbidden:a',
  'slow:forbidden',
  'slow:ok',
  'crash',
  'chat:send',
];

async function serverWithHandlers(options: { errorEvent?: string; bus?: SecurityEventBus } = {}) {
  const handled: string[] = [];
  const server = await startServer({
    setup(io) {
      configurePortcullis(io, options);
      usePacketGuards(io, testGuard);
      io.on('connection', (socket) => {
        // Regular handlers: Socket.io calls `onAny` listeners before `socket.use`
        // middlewares, so an `onAny` handler is never protected by a packet guard.
        for (const event of EVENTS) {
          socket.on(event, (...args: unknown[]) => {
            handled.push(event);
            const ack = args[args.length - 1];
            if (typeof ack === 'function') ack({ ok: true, event });
          });
        }
      });
    },
  });
  return { server, handled };
}

describe('packet guards', () => {
  it('answers a refused packet with an ack by { error } and never runs the handler', async () => {
    const { server, handled } = await serverWithHandlers();
    const client = await connectClient(server.url);
    const reply = await emitWithAck(client, 'forbidden:delete', { id: 1 });
    expect(reply).toEqual({
      error: { code: 'FORBIDDEN', message: new GuardError('FORBIDDEN').message, retryable: false },
    });
    expect(handled).toEqual([]);
  });

  it('answers a refused packet without an ack on portcullis:error', async () => {
    const { server, handled } = await serverWithHandlers();
    const client = await connectClient(server.url);
    const received = waitFor(client, 'portcullis:error');
    client.emit('forbidden:delete', { id: 1 });
    const [payload] = await received;
    expect(payload).toMatchObject({
      code: 'FORBIDDEN',
      retryable: false,
      event: 'forbidden:delete',
    });
    expect(handled).toEqual([]);
  });

  it('uses the configured error event name', async () => {
    const { server } = await serverWithHandlers({ errorEvent: 'app:refused' });
    const client = await connectClient(server.url);
    const received = waitFor(client, 'app:refused');
    const silent = expectSilence(client, 'portcullis:error', 400);
    client.emit('forbidden:x');
    expect((await received)[0]).toMatchObject({ code: 'FORBIDDEN' });
    await silent;
  });

  it('lets allowed packets reach the handler, sync and async', async () => {
    const { server, handled } = await serverWithHandlers();
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'chat:send', 'hi')).toEqual({ ok: true, event: 'chat:send' });
    expect(await emitWithAck(client, 'slow:ok')).toEqual({ ok: true, event: 'slow:ok' });
    expect(await emitWithAck(client, 'slow:forbidden')).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(handled).toEqual(['chat:send', 'slow:ok']);
  });

  it('turns a throwing check into INTERNAL and keeps serving everyone', async () => {
    const { server, handled } = await serverWithHandlers();
    const attacker = await connectClient(server.url);
    const honest = await connectClient(server.url);
    const reply = (await emitWithAck(attacker, 'crash')) as { error: { code: string } };
    expect(reply.error.code).toBe('INTERNAL');
    expect(JSON.stringify(reply)).not.toContain('secret internals');
    expect(await emitWithAck(honest, 'chat:send')).toEqual({ ok: true, event: 'chat:send' });
    expect(await emitWithAck(attacker, 'chat:send')).toEqual({ ok: true, event: 'chat:send' });
    expect(handled).toEqual(['chat:send', 'chat:send']);
  });

  it('records packet_refused events and notifies refusal listeners', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const refusals: string[] = [];
    const { server } = await serverWithHandlers({ bus });
    server.io.on('connection', (socket) =>
      onPacketRefused(socket, (error, packet) => refusals.push(`${error.code}:${packet[0]}`)),
    );
    const client = await connectClient(server.url);
    await emitWithAck(client, 'forbidden:a', 'the message body');
    expect(refusals).toEqual(['FORBIDDEN:forbidden:a']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'packet_refused',
      code: 'FORBIDDEN',
      event: 'forbidden:a',
      guard: 'test',
      socketId: expect.any(String),
    });
    expect(JSON.stringify(events)).not.toContain('the message body');
  });
});

describe('PACKET_HANDLED', () => {
  it('stops a packet a guard answered itself: no handler, no refusal, no later guard', async () => {
    const bus = new SecurityEventBus();
    const refused: string[] = [];
    bus.on((event) => {
      if (event.type === 'packet_refused') refused.push(String(event.event));
    });
    const later: string[] = [];
    const handled: string[] = [];
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        usePacketGuards(
          io,
          {
            guardName: 'control',
            check(_socket, packet) {
              if (packet[0] !== 'control:ping') return undefined;
              const ack = packet[packet.length - 1];
              if (typeof ack === 'function') ack('answered by the guard');
              return Promise.resolve(PACKET_HANDLED);
            },
          },
          {
            guardName: 'later',
            check(_socket, packet) {
              later.push(packet[0]);
              return undefined;
            },
          },
        );
        io.on('connection', (socket) => {
          for (const event of ['control:ping', 'chat:send']) {
            socket.on(event, (ack: (reply: string) => void) => {
              handled.push(event);
              ack('handler');
            });
          }
        });
      },
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'control:ping')).toBe('answered by the guard');
    expect(await emitWithAck(client, 'chat:send')).toBe('handler');
    expect(handled).toEqual(['chat:send']);
    expect(later).toEqual(['chat:send']);
    expect(refused).toEqual([]);
  });
});
