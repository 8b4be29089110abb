import type { IncomingMessage, ServerResponse } from 'node:http';
import Joi from 'joi';
import { jwtVerify } from 'jose';
import type { Server } from 'socket.io';
import { startServer, type TestServer } from '@portcullis/testing';
import {
  portcullis,
  secureServerOptions,
  type Portcullis,
  type PortcullisOptions,
} from 'portcullis';

export const SECRET = 'probe-test-secret-that-is-32-bytes-long!';
export const ORIGIN = 'https://chat.example.com';
export const EVENT = 'chat:send';
export const PAYLOAD = { roomId: 'general', text: 'hi' };

/** The schema of `chat:send` the preset validates by default. */
export const CHAT_SCHEMA = Joi.object({
  roomId: Joi.string()
    .pattern(/^[\w-]{1,64}$/)
    .required(),
  text: Joi.string().min(1).max(1000).required(),
});

/** What the server saw, to check the probe's bounds. */
export interface Traffic {
  /** `chat:send` packets that reached the handler. */
  handled: number;
  /** HTTP requests and WebSocket upgrades that reached the HTTP server. */
  requests: number;
}

function chatHandlers(io: Server, traffic: Traffic): void {
  io.on('connection', (socket) => {
    socket.on(EVENT, (_message: unknown, ack?: (reply: unknown) => void) => {
      traffic.handled += 1;
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Adds `POST` routes next to Socket.io, and a 404 for other paths. Engine.IO calls the
 * listeners that were there before it attached for paths that are not its own; this
 * listener, added after, sees every request, so it leaves Engine.IO's path alone.
 */
function addRoutes(server: TestServer, routes: Readonly<Record<string, Route>>): void {
  server.http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    if (path.startsWith('/socket.io/')) return;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (req.method !== 'POST' || route === undefined) {
      res.writeHead(404).end();
      return;
    }
    route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

function countRequests(server: TestServer, traffic: Traffic): void {
  server.http.on('request', () => (traffic.requests += 1));
  server.http.prependListener('upgrade', () => (traffic.requests += 1));
}

/**
 * A server the way blog posts write them: every origin welcome (CORS `*` with
 * credentials), compression on, no token check, the 1 MB default buffer, and a logout
 * route that forgets the session but leaves its sockets open.
 */
export async function unguardedServer(): Promise<{ server: TestServer; traffic: Traffic }> {
  const traffic: Traffic = { handled: 0, requests: 0 };
  const server = await startServer({
    serverOptions: { perMessageDeflate: true, cors: { origin: '*', credentials: true } },
    setup: (io) => chatHandlers(io, traffic),
  });
  addRoutes(server, {
    '/logout': async (_req, res) => {
      res.writeHead(204).end();
    },
  });
  countRequests(server, traffic);
  return { server, traffic };
}

const key = new TextEncoder().encode(SECRET);

/** `POST /logout` with `Authorization: Bearer <token>`: revokes the token's user. */
export function bearerLogout(guards: Portcullis): Record<string, Route> {
  return {
    '/logout': async (req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined) {
        res.writeHead(401).end();
        return;
      }
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string') throw new Error('no subject');
      await guards.revocation?.revokeUser(payload.sub);
      res.writeHead(204).end();
    },
  };
}

/**
 * The preset as its README sets it up (secureServerOptions + portcullis()), with the
 * validate guard on (a joi schema for `chat:send`) and, by default, a logout route
 * wired to `revocation.revokeUser`.
 */
export async function presetServer(
  options: Partial<PortcullisOptions> = {},
  routes: (guards: Portcullis) => Record<string, Route> = bearerLogout,
): Promise<{ server: TestServer; guards: Portcullis; traffic: Traffic }> {
  const traffic: Traffic = { handled: 0, requests: 0 };
  let guards: Portcullis | undefined;
  const merged: PortcullisOptions = {
    origins: [ORIGIN],
    auth: { secret: SECRET, algorithms: ['HS256'] },
    validate: { schemas: { [EVENT]: CHAT_SCHEMA } },
    startupCheck: false,
    ...options,
  };
  const server = await startServer({
    serverOptions: secureServerOptions({ origins: [ORIGIN] }),
    setup(io) {
      guards = portcullis(io, merged);
      chatHandlers(io, traffic);
    },
  });
  const installed = guards;
  if (installed === undefined) throw new Error('portcullis() did not run');
  addRoutes(server, routes(installed));
  countRequests(server, traffic);
  return { server, guards: installed, traffic };
}
