// Fresh HS256 tokens, signed before any timing starts.
import { SignJWT } from 'jose';
import { SECRET } from './fixtures.mjs';

const key = new TextEncoder().encode(SECRET);

export async function signTokens(count, { prefix = 'user' } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      await new SignJWT({ roles: ['member'], sid: `${prefix}-session-${i}` })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(`${prefix}-${i}`)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .setJti(`${prefix}-jti-${i}-${now}`)
        .sign(key),
    );
  }
  return tokens;
}
