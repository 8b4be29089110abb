import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectClient, emitWithAck, onCleanup } from '@portcullis/testing';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { ORIGIN, presetServer } from './helpers';

/** A local identity provider serving one ES256 key, counting the key-set fetches. */
async function identityProvider() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const state = { fetches: 0 };
  const http = createServer((_request, response) => {
    state.fetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
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
  const sign = (sub: string, expiresInS: number): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: `${sub}-laptop` })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresInS)
      .sign(privateKey);
  };
  return { state, url: `http://127.0.0.1:${port}/jwks.json`, sign };
}

describe('portcullis(): one token verifier', () => {
  it('checks handshakes and in-band refreshes with one key cache (one JWKS fetch)', async () => {
    const idp = await identityProvider();
    const { server } = await presetServer({
      auth: { algorithms: ['ES256'], jwks: { url: idp.url, cooldownMs: 0 } },
    });
    const client = await connectClient(server.url, {
      auth: { token: await idp.sign('erin', 600) },
      extraHeaders: { origin: ORIGIN },
    });
    expect(idp.state.fetches).toBe(1);
    const reply = (await emitWithAck(
      client,
      'portcullis:refresh',
      await idp.sign('erin', 7200),
    )) as { ok?: boolean };
    expect(reply.ok).toBe(true);
    // A second verifier would have fetched the key set again for the refresh.
    expect(idp.state.fetches).toBe(1);
  });
});
