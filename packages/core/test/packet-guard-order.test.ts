import type { Server, Socket } from 'socket.io';
import { GuardError, usePacketGuards, type PacketGuard } from '@portcullis/core';
import { connectClient, emitWithAck, startServer } from '@portcullis/testing';

/** A guard that notes each event it sees in `seen`, and refuses `refuse:<name>`. */
function notingGuard(name: string, seen: string[]): PacketGuard {
  return {
    guardName: name,
    check(_socket, [event]) {
      seen.push(`${name}:${event}`);
      return event === `refuse:${name}` ? new GuardError('FORBIDDEN') : undefined;
    },
  };
}

/** Answers every event with its name, after the server's own middlewares and guards. */
function answerEverything(socket: Socket, seen: string[]): void {
  for (const event of ['hello', 'refuse:first', 'refuse:second', 'refuse:user']) {
    socket.on(event, (ack?: (reply: unknown) => void) => {
      seen.push(`handler:${event}`);
      ack?.({ ok: event });
    });
  }
}

/** Socket.io's per-socket middleware list and run step, as the guards see them. */
interface SocketInternals {
  fns: unknown[];
  run: unknown;
}

describe('packet guards ahead of socket middlewares', () => {
  it('runs a namespace guard chain through the socket itself, without a middleware slot', async () => {
    const seen: string[] = [];
    let internals: { ownRun: boolean; middlewares: number } | undefined;
    const server = await startServer<Server>({
      setup(io) {
        usePacketGuards(io, notingGuard('first', seen));
        io.on('connection', (socket) => {
          const raw = socket as unknown as SocketInternals;
          internals = {
            ownRun: Object.prototype.hasOwnProperty.call(socket, 'run'),
            middlewares: raw.fns.length,
          };
          answerEverything(socket, seen);
        });
      },
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'hello')).toEqual({ ok: 'hello' });
    // The chain is the socket's own `run`: no closure held in `socket.fns`.
    expect(internals).toEqual({ ownRun: true, middlewares: 0 });
    expect(seen).toEqual(['first:hello', 'handler:hello']);
    expect(await emitWithAck(client, 'refuse:first')).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(seen).not.toContain('handler:refuse:first');
  });

  it('runs the guards first, then middlewares added later with socket.use, then a second chain', async () => {
    const seen: string[] = [];
    const server = await startServer<Server>({
      setup(io) {
        usePacketGuards(io, notingGuard('first', seen));
        io.on('connection', (socket) => {
          socket.use(([event], next) => {
            seen.push(`user:${String(event)}`);
            if (event === 'refuse:user') next(new Error('refused by the application'));
            else next();
          });
        });
        usePacketGuards(io, notingGuard('second', seen));
        io.on('connection', (socket) => {
          socket.on('error', () => undefined);
          answerEverything(socket, seen);
        });
      },
    });
    const client = await connectClient(server.url);

    expect(await emitWithAck(client, 'hello')).toEqual({ ok: 'hello' });
    expect(seen).toEqual(['first:hello', 'user:hello', 'second:hello', 'handler:hello']);

    seen.length = 0;
    expect(await emitWithAck(client, 'refuse:second')).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(seen).toEqual(['first:refuse:second', 'user:refuse:second', 'second:refuse:second']);

    // The application's own middleware still refuses as Socket.io does (no handler runs).
    seen.length = 0;
    client.emit('refuse:user');
    expect(await emitWithAck(client, 'hello')).toEqual({ ok: 'hello' });
    expect(seen).toEqual([
      'first:refuse:user',
      'user:refuse:user',
      'first:hello',
      'user:hello',
      'second:hello',
      'handler:hello',
    ]);
  });

  it('keeps the guards ahead of the handler when a middleware came before them', async () => {
    const seen: string[] = [];
    let ownRun: boolean | undefined;
    const server = await startServer<Server>({
      setup(io) {
        io.on('connection', (socket) => {
          socket.use((_packet, next) => {
            seen.push('user');
            next();
          });
        });
        usePacketGuards(io, notingGuard('first', seen));
        io.on('connection', (socket) => {
          ownRun = Object.prototype.hasOwnProperty.call(socket, 'run');
          answerEverything(socket, seen);
        });
      },
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'hello')).toEqual({ ok: 'hello' });
    // Socket.io's order is kept: the earlier middleware first, then the guards.
    expect(ownRun).toBe(false);
    expect(seen).toEqual(['user', 'first:hello', 'handler:hello']);
    expect(await emitWithAck(client, 'refuse:first')).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
  });
});
