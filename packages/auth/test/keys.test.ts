import { generateKeyPairSync } from 'node:crypto';
import { getContext, type PortcullisUser } from '@portcullis/core';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import { authGuard, createTokenVerifier, type AuthGuardOptions } from '../src';
import { SECRET, nowSeconds, sign, unsignedToken } from './helpers';

interface Pair {
  privateKey: CryptoKey | KeyObject;
  pem: string;
  jwk: JWK;
}

/** An RSA pair as Node KeyObjects: one private key signs both RS* and PS*. */
async function rsaPair(): Promise<Pair> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    pem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    jwk: publicKey.export({ format: 'jwk' }) as JWK,
  };
}

async function pair(alg: string): Promise<Pair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, pem: await exportSPKI(publicKey), jwk: await exportJWK(publicKey) };
}

let rsa: Pair;
let rsa2: Pair;
let ec: Pair;
let ed: Pair;

beforeAll(async () => {
  [rsa, rsa2, ec, ed] = await Promise.all([rsaPair(), rsaPair(), pair('ES256'), pair('EdDSA')]);
});

async function serve(options: Omit<AuthGuardOptions, 'secret'>) {
  const users: (PortcullisUser | undefined)[] = [];
  const server = await startServer({
    setup(io) {
      io.use(authGuard(options));
      io.on('connection', (socket) => users.push(getContext(socket).user));
    },
  });
  return { url: server.url, users };
}

async function codeFor(url: string, token: string): Promise<string | undefined> {
  return (await expectConnectError(url, { auth: { token } })).data?.code;
}

describe('authGuard with public keys', () => {
  it('verifies RS256 and PS256 with a PEM, ES256 with a JWK, EdDSA with a PEM', async () => {
    const rsaServer = await serve({ algorithms: ['RS256', 'PS256'], publicKeys: rsa.pem });
    for (const alg of ['RS256', 'PS256']) {
      const token = await sign({ sub: alg }, { alg, key: rsa.privateKey });
      await connectClient(rsaServer.url, { auth: { token } });
    }
    expect(rsaServer.users.map((user) => user?.id)).toEqual(['RS256', 'PS256']);

    const ecServer = await serve({ algorithms: ['ES256'], publicKeys: [ec.jwk] });
    await connectClient(ecServer.url, {
      auth: { token: await sign({}, { alg: 'ES256', key: ec.privateKey }) },
    });
    const edServer = await serve({ algorithms: ['EdDSA'], publicKeys: ed.pem });
    await connectClient(edServer.url, {
      auth: { token: await sign({}, { alg: 'EdDSA', key: ed.privateKey }) },
    });
    expect([ecServer.users.length, edServer.users.length]).toEqual([1, 1]);
  });

  it('refuses an HS256 token signed with the RSA public key as the secret (algorithm confusion)', async () => {
    const { url, users } = await serve({ algorithms: ['RS256'], publicKeys: rsa.pem });
    for (const secret of [rsa.pem, rsa.pem.trim(), JSON.stringify(rsa.jwk)]) {
      const forged = await sign({ roles: ['admin'] }, { alg: 'HS256', key: secret });
      expect(await codeFor(url, forged)).toBe('AUTH_INVALID');
    }
    expect(await codeFor(url, unsignedToken())).toBe('AUTH_INVALID');
    // A token signed by another key of the same kind fails as well.
    expect(await codeFor(url, await sign({}, { alg: 'RS256', key: rsa2.privateKey }))).toBe(
      'AUTH_INVALID',
    );
    expect(users).toEqual([]);
  });

  it('refuses an algorithm the key could verify but the allowlist does not name', async () => {
    const { url } = await serve({ algorithms: ['RS256'], publicKeys: rsa.pem });
    expect(await codeFor(url, await sign({}, { alg: 'PS256', key: rsa.privateKey }))).toBe(
      'AUTH_INVALID',
    );
  });

  it('selects keys by kid, and tries every key when the token names none (rotation)', async () => {
    const { url, users } = await serve({
      algorithms: ['RS256'],
      publicKeys: [
        { pem: rsa.pem, kid: 'old' },
        { ...rsa2.jwk, kid: 'new' },
      ],
    });
    const byOld = await sign(
      { sub: 'a' },
      { alg: 'RS256', key: rsa.privateKey, header: { kid: 'old' } },
    );
    const byNew = await sign(
      { sub: 'b' },
      { alg: 'RS256', key: rsa2.privateKey, header: { kid: 'new' } },
    );
    const noKid = await sign({ sub: 'c' }, { alg: 'RS256', key: rsa2.privateKey });
    for (const token of [byOld, byNew, noKid]) await connectClient(url, { auth: { token } });
    expect(users.map((user) => user?.id)).toEqual(['a', 'b', 'c']);
    // The right signature under the wrong kid, and a kid nobody has: refused.
    const crossed = await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'new' } });
    const unknown = await sign({}, { alg: 'RS256', key: rsa.privateKey, header: { kid: 'nope' } });
    expect(await codeFor(url, crossed)).toBe('AUTH_INVALID');
    expect(await codeFor(url, unknown)).toBe('AUTH_INVALID');
  });

  it('accepts any of several secrets (rotation) and nothing else', async () => {
    const next = 'n'.repeat(32);
    const verify = createTokenVerifier({ algorithms: ['HS256'], secret: [SECRET, next] });
    expect((await verify(await sign({ sub: 'one' }))).id).toBe('one');
    expect((await verify(await sign({ sub: 'two' }, { key: next }))).id).toBe('two');
    await expect(verify(await sign({}, { key: 'x'.repeat(32) }))).rejects.toMatchObject({
      code: 'AUTH_INVALID',
    });
  });
});

describe('set-up checks', () => {
  const rsaPem = (): string => rsa.pem;
  const cases: [string, () => unknown, RegExp][] = [
    ['no options', () => authGuard(undefined as never), /options are required/],
    [
      'no algorithms',
      () => authGuard({ secret: SECRET } as never),
      /authGuard: algorithms: is required \(the JWS algorithms your issuer signs with/,
    ],
    [
      'alg none',
      () => authGuard({ algorithms: ['none' as never], secret: SECRET }),
      /`none` is never accepted/,
    ],
    [
      'unknown alg',
      () => authGuard({ algorithms: ['HS1' as never], secret: SECRET }),
      /unknown algorithm/,
    ],
    ['no key', () => authGuard({ algorithms: ['HS256'] }), /exactly one of/],
    [
      'two keys',
      () => authGuard({ algorithms: ['HS256'], secret: SECRET, publicKeys: rsaPem() }),
      /exactly one of/,
    ],
    [
      'HS with a public key',
      () => authGuard({ algorithms: ['RS256', 'HS256'], publicKeys: rsaPem() }),
      /algorithm confusion/,
    ],
    [
      'RS with a secret',
      () => authGuard({ algorithms: ['HS256', 'RS256'], secret: SECRET }),
      /need a public key/,
    ],
    ['short secret', () => authGuard({ algorithms: ['HS256'], secret: 'hunter2' }), /at least 32/],
    [
      'HS512 secret of 32 bytes',
      () => authGuard({ algorithms: ['HS512'], secret: SECRET }),
      /at least 64/,
    ],
    [
      'PEM as secret',
      () => authGuard({ algorithms: ['HS256'], secret: rsaPem() }),
      /looks like a PEM key/,
    ],
    [
      'private key PEM',
      () => {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
        return authGuard({ algorithms: ['ES256'], publicKeys: pem });
      },
      /is a private key/,
    ],
    [
      'private JWK',
      () => authGuard({ algorithms: ['ES256'], publicKeys: { ...ec.jwk, d: 'AAAA' } }),
      /private JWK/,
    ],
    [
      'garbage PEM',
      () => authGuard({ algorithms: ['RS256'], publicKeys: '-----BEGIN PUBLIC KEY-----\nAA' }),
      /not a readable public key/,
    ],
    [
      'RSA 1024',
      () => {
        const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
        const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
        return authGuard({ algorithms: ['RS256'], publicKeys: pem });
      },
      /1024-bit RSA key/,
    ],
    [
      'key that fits no allowed alg',
      () => authGuard({ algorithms: ['ES256'], publicKeys: [ec.pem, rsaPem()] }),
      /cannot verify any of ES256/,
    ],
    [
      'allowed alg without a key',
      () => authGuard({ algorithms: ['RS256', 'ES256'], publicKeys: rsaPem() }),
      /no configured public key can verify ES256/,
    ],
    [
      'tolerance over the cap',
      () => authGuard({ algorithms: ['HS256'], secret: SECRET, clockToleranceMs: 300_000 }),
      /capped at 60000/,
    ],
    [
      'jwks over plain http',
      () => authGuard({ algorithms: ['RS256'], jwks: 'http://id.example.com/jwks.json' }),
      /must use https/,
    ],
    [
      'jwks with HS',
      () => authGuard({ algorithms: ['HS256'], jwks: 'https://id.example.com/jwks.json' }),
      /cannot be verified with a JWKS/,
    ],
    [
      'cookie source without a name',
      () => authGuard({ algorithms: ['HS256'], secret: SECRET, sources: ['cookie'] }),
      /cookieName/,
    ],
    [
      'queryParam without the query source',
      () => authGuard({ algorithms: ['HS256'], secret: SECRET, queryParam: 't' }),
      /off by default/,
    ],
    [
      'unknown source',
      () => authGuard({ algorithms: ['HS256'], secret: SECRET, sources: ['body' as never] }),
      /sources\[0\]: must be "auth" or "header" or "cookie" or "query"/,
    ],
  ];
  it.each(cases)('throws at set-up on %s, saying how to fix it', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('accepts an https JWKS and a loopback http one', () => {
    expect(() =>
      authGuard({ algorithms: ['RS256'], jwks: 'https://id.example.com/.well-known/jwks.json' }),
    ).not.toThrow();
    expect(() =>
      authGuard({ algorithms: ['ES256'], jwks: { url: 'http://127.0.0.1:1/jwks', cooldownMs: 0 } }),
    ).not.toThrow();
  });

  it('builds the verifier without touching the network or the keys until first use', async () => {
    const verify = createTokenVerifier({ algorithms: ['RS256'], publicKeys: rsa.pem });
    const token = await sign({ exp: nowSeconds() + 60 }, { alg: 'RS256', key: rsa.privateKey });
    await expect(verify(token)).resolves.toMatchObject({ id: 'alice' });
  });
});
