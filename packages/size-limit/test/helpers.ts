import {
  configurePortcullis,
  SecurityEventBus,
  usePacketGuards,
  type CoreOptions,
} from '@portcullis/core';
import { onCleanup, startServer, waitFor, type TestServer } from '@portcullis/testing';
import type { Server, ServerOptions } from 'socket.io';
import WebSocket from 'ws';
import { recommendedMaxHttpBufferSize, sizeLimitGuard, type SizeLimitGuardOptions } from '../src';

// '1' is where Socket.io dispatches an event sent with the number 1 as its name.
export const EVENTS = ['chat', 'e', 'file:upload', 'nested', 'bump', '1'];

export interface GuardedServer {
  server: TestServer;
  /** Events whose handler ran, in order. */
  handled: string[];
  bus: SecurityEventBus;
}

/**
 * A real server with the guard installed and a handler per event in `EVENTS` that acks
 * `{ ok: true, args }` where `args` is the number of arguments it received. The engine's
 * `maxHttpBufferSize` is the recommended one unless the test says otherwise; `core` goes
 * to `configurePortcullis` (a clock, the escalation policy).
 */
export async function guardedServer(
  options: SizeLimitGuardOptions = {},
  serverOptions: Partial<ServerOptions> = {
    maxHttpBufferSize: recommendedMaxHttpBufferSize(options),
  },
  configure?: (io: Server) => void,
  core: Omit<CoreOptions, 'bus'> = {},
): Promise<GuardedServer> {
  const handled: string[] = [];
  const bus = new SecurityEventBus();
  const server = await startServer({
    serverOptions,
    setup(io) {
      configurePortcullis(io, { ...core, bus });
      configure?.(io);
      usePacketGuards(io, sizeLimitGuard(options));
      io.on('connection', (socket) => {
        for (const event of EVENTS) {
          socket.on(event, (...args: unknown[]) => {
            handled.push(event);
            const ack = args[args.length - 1];
            if (typeof ack === 'function') ack({ ok: true, args: args.length - 1 });
          });
        }
      });
    },
  });
  return { server, handled, bus };
}

/** One Engine.IO / Socket.IO frame as the server sent it, decoded a little. */
export interface RawMessage {
  readonly text: string;
}

/**
 * A client that speaks the Engine.IO v4 / Socket.IO v5 text protocol over a plain
 * WebSocket, so tests can send frames socket.io-client would never produce.
 */
export class RawClient {
  private readonly received: string[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === '2') {
        ws.send('3'); // answer the server's ping
        return;
      }
      this.received.push(text);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Opens the connection and joins the main namespace. */
  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const client = new RawClient(ws);
    onCleanup(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.next((text) => text.startsWith('0{'));
    ws.send('40');
    await client.next((text) => text.startsWith('40{'));
    return client;
  }

  send(frame: string | Buffer): void {
    this.ws.send(frame);
  }

  /** Sends an event with an ack id and resolves with the ack's first argument. */
  async emitWithAck(id: number, event: string, argsJson: string): Promise<unknown> {
    this.send(`42${id}[${JSON.stringify(event)}${argsJson.length > 0 ? ',' : ''}${argsJson}]`);
    const reply = await this.next((text) => text.startsWith(`43${id}[`));
    return (JSON.parse(reply.slice(`43${id}`.length)) as unknown[])[0];
  }

  /** Resolves with (and consumes) the first message matching `match`. */
  async next(match: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(match);
      if (index !== -1) return this.received.splice(index, 1)[0] as string;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next `42["<event>",payload]` frame's payload. */
  async nextEvent(event: string): Promise<unknown> {
    const prefix = `42[${JSON.stringify(event)},`;
    const text = await this.next((candidate) => candidate.startsWith(prefix));
    return (JSON.parse(text.slice(2)) as unknown[])[1];
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

/** `[[[…]]]` nested `depth` levels deep, as JSON text. */
export function deepArrayJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** Waits for the client's `disconnect` and returns its reason. */
export async function disconnectReason(client: {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}): Promise<unknown> {
  const [reason] = await waitFor(client, 'disconnect');
  return reason;
}
