import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  getContext,
  type PortcullisUser,
} from '@portcullis/core';
import { authGuard, type AuthGuardOptions } from '../src';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import { createHmac } from 'node:crypto';
import {
  OTHER_SECRET,
  SECRET,
  base64url,
  collect,
  nowSeconds,
  sign,
  unsignedToken,
  withPayload,
} from './helpers';

interface Harness {
  url: string;
  users: (PortcullisUser | undefined)[];
  refusals: GuardError[];
  bus: SecurityEventBus;
}

async function serve(
  options: Partial<AuthGuardOptions> = {},
  now?: () => number,
): Promise<Harness> {
  const users: (PortcullisUser | undefined)[] = [];
  const refusals: GuardError[] = [];
  const bus = new SecurityEventBus();
  const server = await startServer({
    setup(io) {
      configurePortcullis(io, { bus, ...(now === undefined ? {} : { now }) });
      io.use(
        authGuard({
          algorithms: ['HS256'],
          secret: SECRET,
          onRefused: (error) => refusals.push(error),
          ...options,
        }),
      );
      io.on('connection', (socket) => users.push(getContext(socket).user));
    },
  });
  return { url: server.url, users, refusals, bus };
}

/** Signs any signing input with SECRET, however broken its parts are. */
function hmac(signingInput: string): string {
  return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
}

async function codeFor(url: string, token: unknown): Promise<string | undefined> {
  const error = await expectConnectError(url, { auth: { token } });
  return error.data?.code;
}

describe('authGuard with a shared secret', () => {
  it('connects a valid token and puts the user on the context', async () => {
    const { url, users } = await serve();
    const exp = nowSeconds() + 120;
    const token = await sign({ roles: ['editor', 'admin'], sid: 'session-1', jti: 'j-1', exp });
    const client = await connectClient(url, { auth: { token } });
    expect(client.connected).toBe(true);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      id: 'alice',
      roles: ['editor', 'admin'],
      sessionId: 'session-1',
      expiresAt: exp * 1000,
      // No other claim is kept by default (`keepClaims`).
      claims: {},
    });
    // The context travels between nodes: plain JSON only.
    expect(JSON.parse(JSON.stringify(users[0]))).toEqual(users[0]);
  });

  it('refuses a missing token with AUTH_REQUIRED, not retryable', async () => {
    const { url, users, bus } = await serve();
    const events = collect(bus);
    const error = await expectConnectError(url);
    expect(error.data).toMatchObject({ code: 'AUTH_REQUIRED', retryable: false });
    expect(events).toEqual([
      expect.objectContaining({ type: 'handshake_refused', code: 'AUTH_REQUIRED', guard: 'auth' }),
    ]);
    expect(users).toEqual([]);
  });

  it('refuses forged and broken tokens with AUTH_INVALID and keeps serving', async () => {
    const { url, users, refusals } = await serve({
      issuer: 'https://id.example',
      audience: 'chat',
    });
    const good = { iss: 'https://id.example', aud: 'chat' };
    const valid = await sign(good);
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const cases: [string, unknown][] = [
      ['alg none', unsignedToken(good)],
      ['alg none with a signature', `${unsignedToken(good)}${signature}`],
      ['wrong secret', await sign(good, { key: OTHER_SECRET })],
      ['nbf in the future', await sign({ ...good, nbf: nowSeconds() + 3600 })],
      ['wrong issuer', await sign({ ...good, iss: 'https://evil.example' })],
      ['no issuer', await sign({ aud: 'chat' })],
      ['wrong audience', await sign({ ...good, aud: 'billing' })],
      ['tampered payload', withPayload(valid, { ...good, sub: 'alice', roles: ['admin'] })],
      ['malformed base64 payload', `${header}.${payload.slice(0, -3)}*!$.${signature}`],
      ['malformed base64 header', `%%%.${payload}.${signature}`],
      ['malformed base64, correctly signed', hmac(`${header}.${payload.slice(0, -2)}*$`)],
      ['malformed base64 signature', `${header}.${payload}.${signature.slice(0, -2)}*$`],
      ['two segments', `${header}.${payload}`],
      ['not JSON', `${base64url('{"alg":"HS256"')}.${payload}.${signature}`],
      ['no exp', await sign(good, { expiresIn: null })],
      ['no sub', await sign({ ...good, sub: undefined })],
      ['roles not strings', await sign({ ...good, roles: [1, 2] })],
      ['a number', 12345],
      ['an object', { alg: 'none' }],
      ['100 KB', `${header}.${'A'.repeat(100 * 1024)}.${signature}`],
    ];
    for (const [name, token] of cases) {
      expect([name, await codeFor(url, token)]).toEqual([name, 'AUTH_INVALID']);
    }
    // Nothing said which check failed: every refusal carries the same message.
    expect(refusals).toHaveLength(cases.length);
    expect(new Set(refusals.map((error) => error.message)).size).toBe(1);
    expect(users).toEqual([]);
    const client = await connectClient(url, { auth: { token: valid } });
    expect(client.connected).toBe(true);
  });

  it('refuses an expired token with AUTH_EXPIRED, retryable, but only if its signature holds', async () => {
    const { url } = await serve();
    const expired = await sign({ exp: nowSeconds() - 60 });
    const error = await expectConnectError(url, { auth: { token: expired } });
    expect(error.data).toMatchObject({ code: 'AUTH_EXPIRED', retryable: true });
    // An attacker cannot learn anything from a forged expired token.
    expect(await codeFor(url, await sign({ exp: nowSeconds() - 60 }, { key: OTHER_SECRET }))).toBe(
      'AUTH_INVALID',
    );
  });

  it('never tells the client what jose said; the cause stays on the server', async () => {
    const { url, refusals } = await serve({ audience: 'chat' });
    const error = await expectConnectError(url, { auth: { token: await sign({ aud: 'x' }) } });
    expect(error.message).toBe(new GuardError('AUTH_INVALID').message);
    expect(JSON.stringify(error.data)).not.toMatch(/aud|claim|jose/i);
    expect(String((refusals[0]?.cause as Error).message)).toMatch(/aud/);
  });

  it('refuses a token over maxTokenBytes before parsing it', async () => {
    const { url, refusals } = await serve({ maxTokenBytes: 256 });
    const big = await sign({ pad: 'x'.repeat(300) });
    expect(await codeFor(url, big)).toBe('AUTH_INVALID');
    expect((refusals[0]?.cause as Error).name).toBe('TokenTooLarge');
  });

  it("applies the clock tolerance (default 5 s) on core's clock", async () => {
    const ahead = (): number => Date.now() + 3_000;
    const skewed = await serve({}, ahead);
    const exp = nowSeconds() + 2;
    // 3 s ahead: expired by 1 to 2 s, inside the 5 s tolerance.
    await connectClient(skewed.url, { auth: { token: await sign({ exp }) } });
    const strict = await serve({ clockToleranceMs: 0 }, ahead);
    expect(await codeFor(strict.url, await sign({ exp }))).toBe('AUTH_EXPIRED');
    // The server's clock, not the wall clock: on real time the same token connects.
    const real = await serve({ clockToleranceMs: 0 });
    await connectClient(real.url, { auth: { token: await sign({ exp }) } });
  });

  it('refuses tokens older than maxTokenAgeMs with AUTH_EXPIRED', async () => {
    const { url } = await serve({ maxTokenAgeMs: 60_000 });
    expect(await codeFor(url, await sign({ iat: nowSeconds() - 3600 }))).toBe('AUTH_EXPIRED');
    await connectClient(url, { auth: { token: await sign({ iat: nowSeconds() - 10 }) } });
  });

  it('checks typ and required claims', async () => {
    const { url } = await serve({ typ: 'at+jwt', requiredClaims: ['tenant'] });
    const header = { typ: 'at+jwt' };
    expect(await codeFor(url, await sign({ tenant: 't1' }, { header: { typ: 'JWT' } }))).toBe(
      'AUTH_INVALID',
    );
    expect(await codeFor(url, await sign({}, { header }))).toBe('AUTH_INVALID');
    await connectClient(url, { auth: { token: await sign({ tenant: 't1' }, { header }) } });
  });

  it('accepts a token without exp only with requireExpiry: false', async () => {
    const { url, users } = await serve({ requireExpiry: false });
    await connectClient(url, { auth: { token: await sign({}, { expiresIn: null }) } });
    expect(users[0]?.expiresAt).toBeUndefined();
  });

  it('maps configurable claim names, with jti as the session fallback', async () => {
    const { url, users } = await serve({
      claimNames: {
        id: 'uid',
        roles: (claims) => (claims.realm_access as { roles?: unknown } | undefined)?.roles,
      },
    });
    const token = await sign({ uid: 42, jti: 'jwt-7', realm_access: { roles: ['ops'] } });
    await connectClient(url, { auth: { token } });
    expect(users[0]).toMatchObject({ id: '42', roles: ['ops'], sessionId: 'jwt-7' });
    const scoped = await serve({ claimNames: { roles: 'scope' } });
    await connectClient(scoped.url, { auth: { token: await sign({ scope: 'read  write' }) } });
    expect(scoped.users[0]?.roles).toEqual(['read', 'write']);
  });

  it('runs the validate hook: false, a throw or a rejection refuses; a GuardError keeps its code', async () => {
    const seen: { id: string; socketId: string | undefined }[] = [];
    const { url, users } = await serve({
      validate: async (claims, ctx) => {
        seen.push({ id: ctx.user.id, socketId: ctx.socket?.id });
        if (claims.sub === 'banned') return false;
        if (claims.sub === 'crash') throw new Error('db down');
        if (claims.sub === 'revoked') throw new GuardError('SESSION_REVOKED');
        return true;
      },
    });
    expect(await codeFor(url, await sign({ sub: 'banned' }))).toBe('AUTH_INVALID');
    expect(await codeFor(url, await sign({ sub: 'crash' }))).toBe('AUTH_INVALID');
    expect(await codeFor(url, await sign({ sub: 'revoked' }))).toBe('SESSION_REVOKED');
    await connectClient(url, { auth: { token: await sign({ sub: 'bob' }) } });
    expect(users.map((user) => user?.id)).toEqual(['bob']);
    expect(seen.map((entry) => entry.id)).toEqual(['banned', 'crash', 'revoked', 'bob']);
    expect(seen.every((entry) => typeof entry.socketId === 'string')).toBe(true);
  });

  it('lets anonymous sockets in with optional: true, but still refuses bad tokens', async () => {
    const { url, users } = await serve({ optional: true });
    const anonymous = await connectClient(url);
    expect(anonymous.connected).toBe(true);
    expect(users).toEqual([undefined]);
    expect(await codeFor(url, await sign({}, { key: OTHER_SECRET }))).toBe('AUTH_INVALID');
    await connectClient(url, { auth: { token: await sign() } });
    expect(users[1]?.id).toBe('alice');
  });

  it('records each refusal as a security event without the token', async () => {
    const { url, bus } = await serve();
    const events = collect(bus);
    const token = await sign({}, { key: OTHER_SECRET });
    await expectConnectError(url, { auth: { token } });
    expect(events).toEqual([
      expect.objectContaining({ type: 'handshake_refused', code: 'AUTH_INVALID', guard: 'auth' }),
    ]);
    const text = JSON.stringify(events);
    for (const part of token.split('.')) expect(text).not.toContain(part);
  });
});
