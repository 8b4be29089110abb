import { GuardError, getContext, handshakeGuard, type HandshakeMiddleware } from '@portcullis/core';
import { SignJWT, errors, jwtVerify } from 'jose';

const SECRET = new TextEncoder().encode('logout-revoke-test-secret-0123456789abcdef');

export interface TestTokenClaims {
  sub: string;
  sid?: string;
  jti?: string;
  /** Issued-at in epoch seconds; default now. `null` leaves the claim out. */
  iat?: number | null;
  /** Lifetime in seconds; default 600. */
  ttlSeconds?: number;
}

/** An HS256 token as an issuer would sign it. */
export async function signToken(claims: TestTokenClaims): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {};
  if (claims.sid !== undefined) payload.sid = claims.sid;
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setExpirationTime(nowSeconds + (claims.ttlSeconds ?? 600));
  if (claims.jti !== undefined) jwt.setJti(claims.jti);
  if (claims.iat !== null) jwt.setIssuedAt(claims.iat ?? nowSeconds);
  return jwt.sign(SECRET);
}

/**
 * Stands in for @portcullis/auth in these tests: verifies `auth.token` with jose and puts
 * the user in the context, the way the real authentication guard does: `tokenId` from
 * `jti` and `issuedAt` (epoch ms) from `iat`. The guard reads only those fields, never
 * the claims, so the test does not lean on auth's claim names.
 */
export function testAuthentication(): HandshakeMiddleware {
  return handshakeGuard('test-auth', async (socket) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string') return new GuardError('AUTH_REQUIRED');
    try {
      const { payload } = await jwtVerify(token, SECRET, { algorithms: ['HS256'] });
      getContext(socket).user = {
        id: String(payload.sub),
        roles: [],
        sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
        tokenId: payload.jti,
        issuedAt: typeof payload.iat === 'number' ? payload.iat * 1000 : undefined,
        expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
        claims: payload,
      };
      return undefined;
    } catch (error) {
      return new GuardError(error instanceof errors.JWTExpired ? 'AUTH_EXPIRED' : 'AUTH_INVALID');
    }
  });
}

/** The next whole second after now, in epoch seconds: a token issued after a revocation. */
export function nextSecond(): number {
  return Math.floor(Date.now() / 1000) + 1;
}

/** Waits until the wall clock is in the next second (a token's iat has 1 s precision). */
export async function waitForNextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}
