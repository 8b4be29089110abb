import { SignJWT } from 'jose';
import { Server } from 'socket.io';
import { startServer, type TestServer } from '@portcullis/testing';
import {
  portcullis,
  secureServerOptions,
  type Portcullis,
  type PortcullisOptions,
} from 'portcullis';

export const SECRET = 'preset-test-secret-that-is-32-bytes-long!';
export const ORIGIN = 'https://chat.example.com';
const key = new TextEncoder().encode(SECRET);

let counter = 0;

/** A fresh HS256 token; `expiresInS` may be negative for an expired one. */
export async function token(
  sub: string,
  {
    roles = ['member'],
    expiresInS = 3600,
    sid,
  }: { roles?: string[]; expiresInS?: number; sid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles, sid: sid ?? `session-${sub}-${++counter}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInS)
    .setJti(`jti-${sub}-${counter}-${now}`)
    .sign(key);
}

export const baseOptions = (): PortcullisOptions => ({
  origins: [ORIGIN],
  auth: { secret: SECRET, algorithms: ['HS256'] },
  startupCheck: false,
});

/** A real server built the way the README says: secureServerOptions + portcullis(). */
export async function presetServer(
  options: Partial<PortcullisOptions> = {},
  handlers: (io: Server) => void = () => undefined,
): Promise<{ server: TestServer; guards: Portcullis }> {
  let guards: Portcullis | undefined;
  const merged = { ...baseOptions(), ...options } as PortcullisOptions;
  const server = await startServer({
    serverOptions: secureServerOptions({ origins: merged.origins ?? [ORIGIN] }),
    setup(io) {
      guards = portcullis(io, merged);
      handlers(io);
    },
  });
  if (guards === undefined) throw new Error('portcullis() did not run');
  return { server, guards };
}

/** Client options of an honest browser page on the allowed origin. */
export async function honest(sub = 'alice', roles = ['member']) {
  return { auth: { token: await token(sub, { roles }) }, extraHeaders: { origin: ORIGIN } };
}
