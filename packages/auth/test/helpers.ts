import { randomBytes } from 'node:crypto';
import { SecurityEventBus, type SecurityEvent } from '@portcullis/core';
import {
  SignJWT,
  type CryptoKey,
  type JWTPayload,
  type JWTHeaderParameters,
  type KeyObject,
} from 'jose';

/** A 256-bit secret, as long as HS256 requires. */
export const SECRET = randomBytes(32).toString('base64url');
export const OTHER_SECRET = randomBytes(32).toString('base64url');

const encoder = new TextEncoder();

export function base64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface SignOptions {
  /** Default HS256. */
  alg?: string;
  /** Default SECRET. */
  key?: string | Uint8Array | CryptoKey | KeyObject;
  header?: Partial<JWTHeaderParameters>;
  /** Seconds from now; `null` leaves `exp` out. Default 300. */
  expiresIn?: number | null;
}

/** Signs a token with jose, `sub: 'alice'` and a 5-minute expiry unless told otherwise. */
export async function sign(claims: JWTPayload = {}, options: SignOptions = {}): Promise<string> {
  const alg = options.alg ?? 'HS256';
  const key = options.key ?? SECRET;
  const payload: JWTPayload = { sub: 'alice', iat: nowSeconds(), ...claims };
  const expiresIn = options.expiresIn === undefined ? 300 : options.expiresIn;
  if (expiresIn !== null && payload.exp === undefined) payload.exp = nowSeconds() + expiresIn;
  return new SignJWT(payload)
    .setProtectedHeader({ ...options.header, alg })
    .sign(typeof key === 'string' ? encoder.encode(key) : key);
}

/** A token with `alg: none` and no signature, as an attacker would write it. */
export function unsignedToken(claims: JWTPayload = {}): string {
  const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ sub: 'mallory', roles: ['admin'], exp: nowSeconds() + 300, ...claims }),
  );
  return `${header}.${payload}.`;
}

/** Replaces the payload of a signed token, keeping its header and signature. */
export function withPayload(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(JSON.stringify(claims))}.${signature}`;
}

/** Collects every event of a bus. */
export function collect(bus: SecurityEventBus): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  bus.on((event) => {
    events.push(event);
  });
  return events;
}

/** Resolves once `condition()` holds; rejects after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
