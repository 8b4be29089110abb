import { randomBytes } from 'node:crypto';
import {
  SignJWT,
  UnsecuredJWT,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  type JWTPayload,
} from 'jose';

export interface TokenSources {
  readonly token: string | undefined;
  readonly expiredToken: string | undefined;
  readonly hs256Secret: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Claims the probe sets itself on every token it makes. */
const TIME_AND_ID_CLAIMS = ['iat', 'exp', 'nbf', 'jti'];

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

function randomId(): string {
  return randomBytes(9).toString('base64url');
}

function withoutTimes(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).filter(([key]) => !TIME_AND_ID_CLAIMS.includes(key)),
  );
}

/**
 * Every token the checks need: honest ones (given, or made from the test key), and
 * the bad ones: expired, signed with another key, `alg: none`. The bad tokens carry
 * the honest claims, so the one thing wrong with each is the thing under test.
 */
export class TokenKit {
  private readonly key: Uint8Array | undefined;
  /**
   * The one sign-in every token the probe makes belongs to: several sockets of one
   * sign-in (tabs, devices sharing it), each with its own token (`jti`).
   */
  private readonly signInId = `portcullis-probe-${randomId()}`;
  private given: string | undefined;
  private template: Record<string, unknown> = {};
  private algorithm = 'HS256';
  private baseline: Promise<string | undefined> | undefined;

  constructor(private readonly sources: TokenSources) {
    this.key =
      sources.hs256Secret === undefined ? undefined : new TextEncoder().encode(sources.hs256Secret);
    this.useToken(sources.token);
  }

  /**
   * Makes `token` the honest one (given by the user, or answered by their login): the
   * bad tokens then carry its claims and algorithm.
   */
  useToken(token: string | undefined): void {
    this.given = token;
    this.baseline = undefined;
    const decoded = token === undefined ? undefined : safeDecode(token);
    this.template = withoutTimes(
      decoded?.claims ?? { sub: 'portcullis-probe', ...this.sources.claims },
    );
    this.algorithm = decoded?.alg ?? 'HS256';
  }

  /** Where the honest token comes from, for the report. */
  get origin(): 'given' | 'made' | 'none' {
    if (this.given !== undefined) return 'given';
    return this.key === undefined ? 'none' : 'made';
  }

  /** The token of the honest baseline connection (the same one every time). */
  honest(): Promise<string | undefined> {
    this.baseline ??= this.sessionToken();
    return this.baseline;
  }

  /**
   * A token for one more socket of the same sign-in: the given token, or a new one of
   * the probe's sign-in with its own `jti` (so a logout must reach the sockets of the
   * sign-in, not only the one whose token it was given).
   */
  async sessionToken(): Promise<string | undefined> {
    if (this.given !== undefined) return this.given;
    if (this.key === undefined) return undefined;
    const now = nowS();
    return this.signHs256({ sid: this.signInId, ...this.template }, now, now + 600);
  }

  /** An expired token with a valid signature, or `undefined` when the probe cannot make one. */
  async expired(): Promise<string | undefined> {
    if (this.sources.expiredToken !== undefined) return this.sources.expiredToken;
    if (this.key === undefined) return undefined;
    const now = nowS();
    return this.signHs256({ sid: this.signInId, ...this.template }, now - 7200, now - 3600);
  }

  /** The honest claims, signed with a key the server has never seen (same algorithm). */
  async wrongKey(): Promise<{ token: string; algorithm: string }> {
    const now = nowS();
    const jwt = new SignJWT(this.template)
      .setProtectedHeader({ alg: this.algorithm, typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setJti(randomId());
    if (this.algorithm.startsWith('HS')) {
      return { token: await jwt.sign(randomBytes(64)), algorithm: this.algorithm };
    }
    try {
      const { privateKey } = await generateKeyPair(this.algorithm);
      return { token: await jwt.sign(privateKey), algorithm: this.algorithm };
    } catch {
      // An algorithm this runtime cannot make keys for: another key is another key.
      const fallback = new SignJWT(this.template)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(now)
        .setExpirationTime(now + 600);
      return { token: await fallback.sign(randomBytes(64)), algorithm: 'HS256' };
    }
  }

  /** The honest claims with `alg: none` and no signature. */
  algNone(): string {
    return new UnsecuredJWT(this.template)
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti(randomId())
      .encode();
  }

  private signHs256(claims: Record<string, unknown>, iat: number, exp: number): Promise<string> {
    if (this.key === undefined) throw new Error('no HS256 key');
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomId())
      .sign(this.key);
  }
}

function safeDecode(token: string): { claims: Record<string, unknown>; alg: string } | undefined {
  try {
    const claims = decodeJwt(token) as Record<string, unknown>;
    const { alg } = decodeProtectedHeader(token);
    return { claims, alg: typeof alg === 'string' && alg !== 'none' ? alg : 'HS256' };
  } catch {
    return undefined;
  }
}
