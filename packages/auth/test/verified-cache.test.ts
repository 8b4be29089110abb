import {
  configurePortcullis,
  getContext,
  isGuardError,
  type PortcullisUser,
} from '@portcullis/core';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import { authGuard, createTokenVerifier, type TokenVerifierOptions } from '../src';
import { nowSeconds, sign, withPayload } from './helpers';
import { SECRET } from './helpers';

const OPTIONS: TokenVerifierOptions = { algorithms: ['HS256'], secret: SECRET };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isGuardError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('verified-token cache', () => {
  it('verifies a repeated token once: the same user comes back; with cache: false, a new one', async () => {
    const token = await sign({ sid: 's1' });
    const cached = createTokenVerifier(OPTIONS);
    const first = await cached(token);
    expect(await cached(token)).toBe(first);
    const uncached = createTokenVerifier({ ...OPTIONS, cache: false });
    const once = await uncached(token);
    const again = await uncached(token);
    expect(again).not.toBe(once);
    expect(again).toEqual(once);
  });

  it('serves a cached token only until its exp (plus the tolerance), then jose says AUTH_EXPIRED', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier({ ...OPTIONS, clockToleranceMs: 1000, now: () => clock });
    const token = await sign({ exp: nowSeconds() + 60 });
    const user = await verify(token);
    clock += 30_000;
    expect(await verify(token)).toBe(user);
    clock += 31_500; // past exp + 1 s of tolerance
    expect(await codeOf(verify(token))).toBe('AUTH_EXPIRED');
  });

  it('keys on the whole token: a forged variant of a cached token is verified in full and refused', async () => {
    const verify = createTokenVerifier(OPTIONS);
    const token = await sign({ sub: 'alice' });
    await verify(token);
    // Same signature, another payload; and a flipped signature character.
    expect(
      await codeOf(verify(withPayload(token, { sub: 'mallory', exp: nowSeconds() + 60 }))),
    ).toBe('AUTH_INVALID');
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    expect(await codeOf(verify(flipped))).toBe('AUTH_INVALID');
  });

  it('runs the validate hook on every use, cached or not', async () => {
    let allowed = true;
    const seen: string[] = [];
    const verify = createTokenVerifier({
      ...OPTIONS,
      validate: (claims) => {
        seen.push(String(claims.sub));
        return allowed;
      },
    });
    const token = await sign({ sub: 'bob' });
    await verify(token);
    allowed = false;
    expect(await codeOf(verify(token))).toBe('AUTH_INVALID');
    expect(seen).toEqual(['bob', 'bob']);
  });

  it('holds at most maxEntries tokens, dropping the oldest', async () => {
    const verify = createTokenVerifier({ ...OPTIONS, cache: { maxEntries: 2 } });
    const tokens = await Promise.all([sign({ sub: 'a' }), sign({ sub: 'b' }), sign({ sub: 'c' })]);
    const users: PortcullisUser[] = [];
    for (const token of tokens) users.push(await verify(token));
    // `a` was pushed out by `c`; `b` and `c` are still served from the cache.
    expect(await verify(tokens[1] as string)).toBe(users[1]);
    expect(await verify(tokens[2] as string)).toBe(users[2]);
    expect(await verify(tokens[0] as string)).not.toBe(users[0]);
  });

  it('does not cache a token without exp (requireExpiry: false): nothing would retire it', async () => {
    const verify = createTokenVerifier({ ...OPTIONS, requireExpiry: false });
    const token = await sign({}, { expiresIn: null });
    const first = await verify(token);
    expect(await verify(token)).not.toBe(first);
  });

  it('at the handshake: two sockets with one token share the verified user; an expired one is refused', async () => {
    let clock = Date.now();
    const users: unknown[] = [];
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { now: () => clock });
        io.use(authGuard({ ...OPTIONS, clockToleranceMs: 0 }));
        io.on('connection', (socket) => users.push(getContext(socket).user));
      },
    });
    const token = await sign({ exp: nowSeconds() + 20 });
    await connectClient(server.url, { auth: { token } });
    await connectClient(server.url, { auth: { token } });
    expect(users).toHaveLength(2);
    expect(users[1]).toBe(users[0]);
    clock += 25_000;
    const error = await expectConnectError(server.url, { auth: { token } });
    expect(error.data).toMatchObject({ code: 'AUTH_EXPIRED' });
  });
});
