import type { Server } from 'socket.io';
import {
  GuardError,
  configurePortcullis,
  usePacketGuards,
  type EscalationOptions,
  type GuardErrorCode,
  type PacketGuard,
} from '@portcullis/core';
import {
  connectClient,
  delay,
  emitWithAck,
  expectSilence,
  startServer,
  waitFor,
} from '@portcullis/testing';

/** Refuses `refuse:<CODE>` events with that code; lets everything else through. */
const refuseByName: PacketGuard = {
  guardName: 'test',
  check(_socket, [event]) {
    if (typeof event === 'string' && event.startsWith('refuse:')) {
      return new GuardError(event.slice('refuse:'.length) as GuardErrorCode);
    }
    return undefined;
  },
};

async function serve(escalation?: EscalationOptions | false) {
  const server = await startServer<Server>({
    setup(io) {
      if (escalation !== undefined) configurePortcullis(io, { escalation });
      usePacketGuards(io, refuseByName);
      io.on('connection', (socket) => {
        socket.on('ok', (ack?: (reply: unknown) => void) => ack?.('ok'));
      });
    },
  });
  return server;
}

describe('one escalation path in core', () => {
  it('cuts a socket whose refusals weigh enough, by default 50 within 10 s', async () => {
    const server = await serve();
    const client = await connectClient(server.url);
    const cut = waitFor(client, 'portcullis:disconnect');
    // FORBIDDEN weighs 2: the 25th refusal reaches 50.
    for (let index = 0; index < 25; index++) client.emit('refuse:FORBIDDEN');
    const [payload] = await cut;
    expect(payload).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many refused messages.' });
  });

  it('never cuts an honest client for a few mistakes, whatever their codes', async () => {
    const server = await serve();
    const client = await connectClient(server.url);
    const quiet = expectSilence(client, 'portcullis:disconnect', 500);
    for (const code of ['PAYLOAD_TOO_LARGE', 'VALIDATION_FAILED', 'FORBIDDEN', 'RATE_LIMITED']) {
      expect(await emitWithAck(client, `refuse:${code}`)).toMatchObject({ error: { code } });
    }
    await quiet;
    expect(await emitWithAck(client, 'ok')).toBe('ok');
  });

  it('weighs oversized frames more: 10 of them are enough', async () => {
    const server = await serve();
    const client = await connectClient(server.url);
    const cut = waitFor(client, 'portcullis:disconnect');
    for (let index = 0; index < 10; index++) client.emit('refuse:PAYLOAD_TOO_LARGE');
    await cut;
  });

  it('takes weights and thresholds per server; false never cuts, INTERNAL never counts', async () => {
    const lenient = await serve({
      disconnectAfter: { refusals: 3, withinMs: 60_000 },
      weights: { FORBIDDEN: 0 },
    });
    const client = await connectClient(lenient.url);
    const quiet = expectSilence(client, 'portcullis:disconnect', 400);
    for (let index = 0; index < 10; index++) client.emit('refuse:FORBIDDEN');
    for (let index = 0; index < 10; index++) client.emit('refuse:INTERNAL');
    await quiet;
    const cut = waitFor(client, 'portcullis:disconnect');
    for (let index = 0; index < 3; index++) client.emit('refuse:RATE_LIMITED');
    await cut;

    const never = await serve(false);
    const patient = await connectClient(never.url);
    const stillQuiet = expectSilence(patient, 'portcullis:disconnect', 400);
    for (let index = 0; index < 100; index++) patient.emit('refuse:PAYLOAD_TOO_LARGE');
    await stillQuiet;
    await delay(50);
    expect(patient.connected).toBe(true);
  });

  it('says how to fix a bad policy', () => {
    expect(() =>
      configurePortcullis({} as never, {
        escalation: { disconnectAfter: { refusals: 0, withinMs: 1 } },
      }),
    ).toThrow(/refusals must be a positive number/);
  });
});
