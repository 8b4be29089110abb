import { usePacketGuards, type PacketGuard } from '@portcullis/core';
import { startServer, type ClientSocket, type TestServer } from '@portcullis/testing';
import { validateGuard, type ValidateGuardOptions, type ValidateSchemas } from '../src';

/** What a handler received, as the server saw it (after the guards). */
export interface Received {
  readonly event: string;
  readonly args: unknown[];
}

/**
 * A real server with the validate guard (unless `schemas` is `undefined`), after the
 * packet guards in `before`, and, for each event, a handler that records its arguments
 * and answers the ack with them.
 */
export async function serverWith(
  schemas: ValidateSchemas | undefined,
  events: readonly string[],
  options: ValidateGuardOptions = {},
  before: readonly PacketGuard[] = [],
): Promise<{ server: TestServer; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer({
    setup(io) {
      const guards = schemas === undefined ? [] : [validateGuard(schemas, options)];
      usePacketGuards(io, ...before, ...guards);
      io.on('connection', (socket) => {
        for (const event of [...events, 'sync']) {
          socket.on(event, (...args: unknown[]) => {
            const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
            if (event !== 'sync') received.push({ event, args });
            if (typeof ack === 'function') (ack as (reply: unknown) => void)({ ok: true, args });
          });
        }
      });
    },
  });
  return { server, received };
}

/**
 * Writes a raw Socket.io packet on the client's connection, exactly as an attacker
 * would: `2["event",{…}]` for an event, `51-["event",{…}]` plus one binary frame per
 * attachment for a binary event. The JSON text is sent as written, so keys like
 * `__proto__` stay own keys until the server parses them.
 */
export function sendRaw(client: ClientSocket, packet: string, attachments: Buffer[] = []): void {
  client.io.engine.write(packet);
  for (const attachment of attachments) client.io.engine.write(attachment);
}
