import {
  GuardError,
  getContext,
  handshakeGuard,
  type HandshakeMiddleware,
  type PortcullisUser,
} from '@portcullis/core';
import { SignJWT, errors, jwtVerify } from 'jose';

const SECRET = new TextEncoder().encode('session-expiry-test-secret-0123456789abcdef');

export interface TestTokenClaims {
  sub: string;
  sid?: string;
  jti?: string;
  /** Expiry in epoch seconds. */
  exp: number;
}

/** An HS256 token as an issuer would sign it. */
export async function signToken(claims: TestTokenClaims): Promise<string> {
  const jwt = new SignJWT(claims.sid === undefined ? {} : { sid: claims.sid })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(claims.exp);
  if (claims.jti !== undefined) jwt.setJti(claims.jti);
  return jwt.sign(SECRET);
}

/** Epoch seconds `seconds` from now. */
export function secondsFromNow(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}

/**
 * The shape `createTokenVerifier` of @portcullis/auth has: the user of a valid token, or
 * a rejection with AUTH_INVALID / AUTH_EXPIRED.
 */
export async function verifyToken(token: string): Promise<PortcullisUser> {
  try {
    const { payload } = await jwtVerify(token, SECRET, { algorithms: ['HS256'] });
    return {
      id: String(payload.sub),
      roles: [],
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
      claims: payload,
    };
  } catch (error) {
    throw new GuardError(error instanceof errors.JWTExpired ? 'AUTH_EXPIRED' : 'AUTH_INVALID', {
      cause: error,
    });
  }
}

/** Stands in for @portcullis/auth: verifies `auth.token`, puts the user in the context. */
export function testAuthentication(): HandshakeMiddleware {
  return handshakeGuard('test-auth', async (socket) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string') return new GuardError('AUTH_REQUIRED');
    getContext(socket).user = await verifyToken(token);
    return undefined;
  });
}
