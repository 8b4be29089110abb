import { SignJWT } from 'jose';
import type { Server } from 'socket.io';
import { SecurityEventBus, type SecurityEvent } from '@portcullis/core';
import {
  createClient,
  startServer,
  type ClientOptions,
  type TestServer,
} from '@portcullis/testing';
import {
  portcullis,
  secureServerOptions,
  type Portcullis,
  type PortcullisOptions,
} from 'portcullis';

export const SECRET = 'client-test-secret-that-is-32-bytes-long!';
export const ORIGIN = 'https://chat.example.com';
const key = new TextEncoder().encode(SECRET);

let counter = 0;

/**
 * A fresh HS256 token; `expiresInS` may be negative for an expired one, `expiresAtS`
 * (epoch seconds) sets the expiry outright.
 */
export async function token(
  sub: string,
  {
    roles = ['member'],
    expiresInS = 3600,
    expiresAtS,
    sid,
    secret,
  }: {
    roles?: string[];
    expiresInS?: number;
    expiresAtS?: number;
    sid?: string;
    secret?: string;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles, sid: sid ?? `session-${sub}-${++counter}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(expiresAtS ?? now + expiresInS)
    .setJti(`jti-${sub}-${++counter}-${now}`)
    .sign(secret === undefined ? key : new TextEncoder().encode(secret));
}

export interface GuardedServer {
  server: TestServer;
  guards: Portcullis;
  /** Security events of this server only. */
  events: SecurityEvent[];
}

/** Chat-like handlers: `chat:send` answers `{ ok: true }` and counts what it handled. */
export function chatHandlers(handled: unknown[] = []): (io: Server) => void {
  return (io) =>
    io.of('/').on('connection', (socket) => {
      socket.on('chat:send', (message: unknown, ack?: (reply: unknown) => void) => {
        handled.push(message);
        ack?.({ ok: true });
      });
      socket.on('file:upload', (file: unknown, ack?: (reply: unknown) => void) => {
        handled.push(file);
        ack?.({ ok: true });
      });
      socket.on('admin:broadcast', (text: unknown, ack?: (reply: unknown) => void) => {
        handled.push(text);
        ack?.({ ok: true });
      });
    });
}

/** A real server built as the preset's README says: secureServerOptions + portcullis(). */
export async function guardedServer(
  options: Partial<PortcullisOptions> = {},
  handlers: (io: Server) => void = chatHandlers(),
): Promise<GuardedServer> {
  const origins = options.origins ?? [ORIGIN];
  let guards: Portcullis | undefined;
  const events: SecurityEvent[] = [];
  const bus = new SecurityEventBus();
  bus.on((event) => {
    events.push(event);
  });
  const merged = {
    origins,
    auth: { secret: SECRET, algorithms: ['HS256'] },
    startupCheck: false,
    bus,
    ...options,
  } as PortcullisOptions;
  const server = await startServer({
    serverOptions: secureServerOptions({
      origins,
      ...(merged.sizeLimit ? { sizeLimit: merged.sizeLimit } : {}),
    }),
    setup(io) {
      guards = portcullis(io, merged);
      handlers(io);
    },
  });
  if (guards === undefined) throw new Error('portcullis() did not run');
  return { server, guards, events };
}

/** A real socket.io-client socket on the allowed origin, not connected yet when `autoConnect: false`. */
export function browserLikeClient(url: string, options: ClientOptions = {}) {
  return createClient(url, { extraHeaders: { origin: ORIGIN }, ...options });
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
