import { getContext, type PortcullisUser } from '@portcullis/core';
import { connectClient, startServer } from '@portcullis/testing';
import { authGuard, createTokenVerifier, type AuthGuardOptions } from '../src';
import { SECRET, nowSeconds, sign } from './helpers';

/** A server whose handshakes put their users in `users`. */
async function serve(options: Partial<AuthGuardOptions> = {}) {
  const users: PortcullisUser[] = [];
  const server = await startServer({
    setup(io) {
      io.use(authGuard({ algorithms: ['HS256'], secret: SECRET, ...options }));
      io.on('connection', (socket) => {
        const user = getContext(socket).user;
        if (user !== undefined) users.push(user);
      });
    },
  });
  return { url: server.url, users };
}

const payload = () => ({
  roles: ['editor'],
  sid: 'session-1',
  jti: 'token-1',
  exp: nowSeconds() + 120,
  email: 'alice@example.com',
  tenant: 'acme',
  profile: { name: 'Alice', bio: 'x'.repeat(200) },
});

describe('keepClaims: what user.claims keeps of a verified token', () => {
  it('keeps no claim by default, while the user fields are read from them', async () => {
    const { url, users } = await serve();
    await connectClient(url, { auth: { token: await sign(payload()) } });
    const user = users[0] as PortcullisUser;
    expect(user).toMatchObject({ id: 'alice', roles: ['editor'], sessionId: 'session-1' });
    expect(user.tokenId).toBe('token-1');
    expect(user.claims).toEqual({});
  });

  it('keeps the claims listed, and only those', async () => {
    const { url, users } = await serve({ keepClaims: ['email', 'tenant', 'absent'] });
    await connectClient(url, { auth: { token: await sign(payload()) } });
    expect((users[0] as PortcullisUser).claims).toEqual({
      email: 'alice@example.com',
      tenant: 'acme',
    });
  });

  it("keeps the whole payload with 'all'", async () => {
    const { url, users } = await serve({ keepClaims: 'all' });
    const claims = payload();
    await connectClient(url, { auth: { token: await sign(claims) } });
    expect((users[0] as PortcullisUser).claims).toMatchObject(claims);
  });

  it('keeps a claim named __proto__ as a plain property', async () => {
    const verify = createTokenVerifier({
      algorithms: ['HS256'],
      secret: SECRET,
      keepClaims: ['__proto__'],
    });
    const token = await sign(
      JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>,
    );
    const user = await verify(token);
    expect(Object.getPrototypeOf(user.claims)).toBe(Object.prototype);
    expect((user.claims as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.keys(user.claims)).toEqual(['__proto__']);
  });

  it('shares one role list between users with the same roles, not their tokens', async () => {
    const verify = createTokenVerifier({ algorithms: ['HS256'], secret: SECRET, cache: false });
    const first = await verify(await sign({ sub: 'a', roles: ['editor', 'admin'] }));
    const second = await verify(await sign({ sub: 'b', roles: ['editor', 'admin'] }));
    const other = await verify(await sign({ sub: 'c', roles: ['editor'] }));
    const spaced = await verify(await sign({ sub: 'd', roles: 'editor admin' }));
    expect(first.roles).toEqual(['editor', 'admin']);
    expect(second.roles).toBe(first.roles);
    expect(spaced.roles).toBe(first.roles);
    expect(other.roles).toEqual(['editor']);
    expect(Object.isFrozen(first.roles)).toBe(true);
    // A list whose items contain the separator of another is not mistaken for it.
    const joined = await verify(await sign({ sub: 'e', roles: ['editor,admin'] }));
    expect(joined.roles).toEqual(['editor,admin']);
  });

  it('gives the validate hook every claim, on a cached token too', async () => {
    const seen: unknown[] = [];
    const verify = createTokenVerifier({
      algorithms: ['HS256'],
      secret: SECRET,
      validate: (claims) => {
        seen.push(claims.email);
        return true;
      },
    });
    const token = await sign(payload());
    const first = await verify(token);
    const second = await verify(token);
    expect(second).toBe(first); // served from the verified-token cache
    expect(first.claims).toEqual({});
    expect(seen).toEqual(['alice@example.com', 'alice@example.com']);
  });

  it('serves cached tokens until their own exp with other claim names', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier({
      algorithms: ['HS256'],
      secret: SECRET,
      claimNames: { expiresAt: 'session_end' },
      now: () => clock,
    });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign({ exp, session_end: exp + 3600 });
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    clock = (exp + 1) * 1000 + 60_000; // past exp and any clock tolerance
    await expect(verify(token)).rejects.toMatchObject({ code: 'AUTH_EXPIRED' });
  });

  it('refuses a keepClaims that is neither a list of names nor all', () => {
    expect(() =>
      createTokenVerifier({
        algorithms: ['HS256'],
        secret: SECRET,
        keepClaims: 'some' as unknown as 'all',
      }),
    ).toThrow(/keepClaims/);
  });
});
