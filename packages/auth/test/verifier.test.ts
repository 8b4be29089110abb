import { getContext, isGuardError, type PortcullisUser } from '@portcullis/core';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import { authGuard, createTokenVerifier, type TokenVerifierOptions } from '../src';
import { OTHER_SECRET, SECRET, nowSeconds, sign } from './helpers';

const OPTIONS: TokenVerifierOptions = {
  algorithms: ['HS256'],
  secret: SECRET,
  issuer: 'https://id.example',
  validate: (claims) => claims.sub !== 'banned',
};

describe('createTokenVerifier', () => {
  it('resolves the same user the handshake would put on the context', async () => {
    // The shape other packages accept for checking refreshed tokens (checked by tsc).
    const verify: (token: string) => Promise<PortcullisUser> = createTokenVerifier(OPTIONS);
    const exp = nowSeconds() + 90;
    const token = await sign({ iss: 'https://id.example', roles: ['a'], sid: 's', exp });
    const fromVerifier = await verify(token);
    let fromHandshake: unknown;
    const server = await startServer({
      setup(io) {
        io.use(authGuard(OPTIONS));
        io.on('connection', (socket) => {
          fromHandshake = getContext(socket).user;
        });
      },
    });
    await connectClient(server.url, { auth: { token } });
    expect(fromVerifier).toEqual(fromHandshake);
    expect(fromVerifier).toMatchObject({
      id: 'alice',
      roles: ['a'],
      sessionId: 's',
      expiresAt: exp * 1000,
    });
  });

  it('sets tokenId and issuedAt from the claims the options name, for revocation', async () => {
    const iat = nowSeconds() - 30;
    const plain = await createTokenVerifier(OPTIONS)(
      await sign({ iss: 'https://id.example', jti: 'token-1', iat }),
    );
    expect(plain).toMatchObject({ tokenId: 'token-1', issuedAt: iat * 1000 });
    const renamed = await createTokenVerifier({
      ...OPTIONS,
      claimNames: { tokenId: 'tid', issuedAt: 'auth_time' },
    })(await sign({ iss: 'https://id.example', tid: 'token-2', auth_time: iat }));
    expect(renamed).toMatchObject({ tokenId: 'token-2', issuedAt: iat * 1000 });
  });

  it('rejects with a GuardError whose code the client would get, with the cause attached', async () => {
    const verify = createTokenVerifier(OPTIONS);
    const iss = 'https://id.example';
    const cases: [Promise<string> | string, string][] = [
      [sign({ iss, exp: nowSeconds() - 30 }), 'AUTH_EXPIRED'],
      [sign({ iss }, { key: OTHER_SECRET }), 'AUTH_INVALID'],
      [sign({ iss: 'https://other.example' }), 'AUTH_INVALID'],
      [sign({ iss, sub: 'banned' }), 'AUTH_INVALID'],
      ['', 'AUTH_INVALID'],
      ['x'.repeat(9000), 'AUTH_INVALID'],
    ];
    for (const [pending, code] of cases) {
      const error: unknown = await verify(await pending).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(isGuardError(error)).toBe(true);
      expect((error as { code: string }).code).toBe(code);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
    // The same token, the same verdict at the handshake.
    const server = await startServer({ setup: (io) => void io.use(authGuard(OPTIONS)) });
    const refused = await expectConnectError(server.url, {
      auth: { token: await sign({ iss, sub: 'banned' }) },
    });
    expect(refused.data?.code).toBe('AUTH_INVALID');
  });

  it('verifies concurrent first tokens of several algorithms while the keys load once', async () => {
    const verify = createTokenVerifier({ algorithms: ['HS256', 'HS384'], secret: 's'.repeat(48) });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        sign(
          { sub: `u${index}` },
          { alg: index % 2 === 0 ? 'HS256' : 'HS384', key: 's'.repeat(48) },
        ),
      ),
    );
    const users = await Promise.all(tokens.map((token) => verify(token)));
    expect(users.map((user) => user.id)).toEqual(tokens.map((_, index) => `u${index}`));
  });
});
