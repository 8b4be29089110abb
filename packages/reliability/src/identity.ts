import { SignJWT } from 'jose';

/** HS256 secret shared by the child servers and the clients of these runs. */
export const SECRET = 'reliability-secret-that-is-at-least-32-bytes';
/** The only origin the child servers allow. */
export const ORIGIN = 'https://chat.example.com';

const key = new TextEncoder().encode(SECRET);
let issued = 0;

export interface TokenOptions {
  roles?: string[];
  expiresInS?: number;
  sessionId?: string;
}

/** A fresh HS256 token for `sub`, with a session id and a jti of its own. */
export async function signToken(sub: string, options: TokenOptions = {}): Promise<string> {
  const { roles = ['member'], expiresInS = 3600, sessionId } = options;
  const now = Math.floor(Date.now() / 1000);
  issued += 1;
  return new SignJWT({ roles, sid: sessionId ?? `session-${sub}-${issued}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInS)
    .setJti(`jti-${process.pid}-${issued}`)
    .sign(key);
}

/**
 * A client address for `index` in 10.0.0.0/8, sent as `X-Forwarded-For`: the child
 * servers trust the loopback proxy, so each simulated client has its own address and
 * per-IP limits apply to it, not to every connection of the run at once.
 */
export function clientAddress(index: number): string {
  const n = (index % 16_777_215) + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}
