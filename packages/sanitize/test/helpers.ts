import { usePacketGuards, type PacketGuard } from '@portcullis/core';
import { startServer, type TestServer } from '@portcullis/testing';
import { sanitizeGuard, type SanitizeGuardOptions } from '../src';

/** What a handler received, as the server saw it (after the guard). */
export interface Received {
  readonly event: string;
  readonly args: unknown[];
}

/**
 * A real server with the sanitize guard (after the packet guards in `before`) and, for
 * each event, a handler that records its arguments and sends them back through the ack,
 * as a chat server relays a message.
 */
export async function serverWith(
  options: SanitizeGuardOptions,
  events: readonly string[],
  before: readonly PacketGuard[] = [],
): Promise<{ server: TestServer; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer({
    setup(io) {
      usePacketGuards(io, ...before, sanitizeGuard(options));
      io.on('connection', (socket) => {
        for (const event of events) {
          socket.on(event, (...args: unknown[]) => {
            const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
            received.push({ event, args });
            if (typeof ack === 'function') (ack as (reply: unknown) => void)(args);
          });
        }
      });
    },
  });
  return { server, received };
}
