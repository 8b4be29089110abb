import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardError, getContext } from '@portcullis/core';
import { connectClient, expectConnectError, onCleanup, startServer } from '@portcullis/testing';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { authGuard, type RemoteJwksOptions } from '../src';
import { sign } from './helpers';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    kid,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

/** A local identity provider: serves whatever key set the test puts in `keys`. */
async function identityProvider() {
  const state = { keys: [] as JWK[], fetches: 0, status: 200 };
  const http: Server = createServer((_request, response) => {
    state.fetches++;
    response.writeHead(state.status, { 'content-type': 'application/json' });
    response.end(state.status === 200 ? JSON.stringify({ keys: state.keys }) : '{}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  const { port } = http.address() as AddressInfo;
  return { state, url: `http://127.0.0.1:${port}/.well-known/jwks.json` };
}

async function serve(jwks: RemoteJwksOptions, refusals: GuardError[] = []) {
  const ids: string[] = [];
  const server = await startServer({
    setup(io) {
      io.use(
        authGuard({ algorithms: ['ES256'], jwks, onRefused: (error) => refusals.push(error) }),
      );
      io.on('connection', (socket) => ids.push(getContext(socket).user?.id ?? '?'));
    },
  });
  return { url: server.url, ids };
}

function tokenFor(key: SigningKey, sub: string, kid: string = key.kid): Promise<string> {
  return sign({ sub }, { alg: 'ES256', key: key.privateKey, header: { kid } });
}

async function codeFor(url: string, token: string): Promise<string | undefined> {
  return (await expectConnectError(url, { auth: { token } })).data?.code;
}

describe('authGuard with a remote JWKS', () => {
  it('follows a key rotation: new kid fetched, retired kid refused', async () => {
    const idp = await identityProvider();
    const [k1, k2] = await Promise.all([signingKey('k1'), signingKey('k2')]);
    idp.state.keys = [k1.jwk];
    const { url, ids } = await serve({ url: idp.url, cooldownMs: 0 });

    await connectClient(url, { auth: { token: await tokenFor(k1, 'before') } });
    await connectClient(url, { auth: { token: await tokenFor(k1, 'cached') } });
    expect(idp.state.fetches).toBe(1); // cached, not fetched per connection

    idp.state.keys = [k2.jwk]; // the provider rotates and retires k1
    await connectClient(url, { auth: { token: await tokenFor(k2, 'after') } });
    expect(idp.state.fetches).toBe(2); // the unknown kid triggered one refetch
    expect(await codeFor(url, await tokenFor(k1, 'retired'))).toBe('AUTH_INVALID');
    expect(ids).toEqual(['before', 'cached', 'after']);
  });

  it('refuses a kid that matches nothing, refetching at most once per cooldown', async () => {
    const idp = await identityProvider();
    const key = await signingKey('real');
    idp.state.keys = [key.jwk];
    const refusals: GuardError[] = [];
    const { url, ids } = await serve({ url: idp.url, cooldownMs: 60_000 }, refusals);
    await connectClient(url, { auth: { token: await tokenFor(key, 'ok') } });
    for (const kid of ['made-up-1', 'made-up-2', 'made-up-3']) {
      expect(await codeFor(url, await tokenFor(key, 'x', kid))).toBe('AUTH_INVALID');
    }
    expect(idp.state.fetches).toBe(1);
    expect(refusals.map((error) => (error.cause as { code?: string }).code)).toEqual([
      'ERR_JWKS_NO_MATCHING_KEY',
      'ERR_JWKS_NO_MATCHING_KEY',
      'ERR_JWKS_NO_MATCHING_KEY',
    ]);
    expect(ids).toEqual(['ok']);
  });

  it('answers INTERNAL (retryable), not AUTH_INVALID, when the key set cannot be fetched', async () => {
    const idp = await identityProvider();
    const key = await signingKey('k');
    idp.state.keys = [key.jwk];
    idp.state.status = 503;
    const { url, ids } = await serve({ url: idp.url, cooldownMs: 0 });
    const error = await expectConnectError(url, { auth: { token: await tokenFor(key, 'a') } });
    expect(error.data).toMatchObject({ code: 'INTERNAL', retryable: true });
    idp.state.status = 200; // back up: the next handshake fetches again and succeeds
    await connectClient(url, { auth: { token: await tokenFor(key, 'b') } });
    expect(ids).toEqual(['b']);
  });
});
