import { GuardError, getContext, handshakeGuard, type PortcullisUser } from '@portcullis/core';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  expectSilence,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import { logoutRevokeGuard } from '../src';

const NOW = Date.now();

/** API keys, as an app without JWTs keeps them: the user, the key's id, when it was issued. */
const KEYS: Readonly<Record<string, PortcullisUser>> = {
  'secret-old': { id: 'alice', roles: [], tokenId: 'key-old', issuedAt: NOW - 120_000, claims: {} },
  'secret-new': { id: 'alice', roles: [], tokenId: 'key-new', issuedAt: NOW - 10_000, claims: {} },
  // Claims that look like a JWT's, but no tokenId / issuedAt: the guard reads neither.
  'secret-claims': {
    id: 'bob',
    roles: [],
    claims: { jti: 'key-claims', iat: Math.floor(NOW / 1000) },
  },
};

/** An authenticator that is not a JWT one: it sets the context's fields itself. */
const apiKeyAuthentication = handshakeGuard('api-key', (socket) => {
  const user = KEYS[String((socket.handshake.auth as { key?: unknown }).key)];
  if (user === undefined) return new GuardError('AUTH_INVALID');
  getContext(socket).user = user;
  return undefined;
});

async function keyServer() {
  const logout = logoutRevokeGuard();
  const server = await startServer({
    setup(io) {
      io.use(apiKeyAuthentication);
      logout.install(io);
      io.on('connection', (socket) => {
        socket.on('echo', (value: unknown, ack: (reply: unknown) => void) => ack(value));
      });
    },
  });
  return { server, logout };
}

const connectWith = (url: string, key: string): Promise<ClientSocket> =>
  connectClient(url, { auth: { key } });

async function expectCut(client: ClientSocket): Promise<void> {
  const [[payload]] = await Promise.all([
    waitFor(client, 'portcullis:disconnect'),
    waitFor(client, 'disconnect'),
  ]);
  expect(payload).toMatchObject({ code: 'SESSION_REVOKED' });
}

async function expectServed(client: ClientSocket): Promise<void> {
  expect(await emitWithAck(client, 'echo', 'ok')).toBe('ok');
}

describe('logout-revoke reads the context, not the claims', () => {
  it("revokes one credential by the context's tokenId, whatever authenticated it", async () => {
    const { server, logout } = await keyServer();
    const old = await connectWith(server.url, 'secret-old');
    const current = await connectWith(server.url, 'secret-new');
    const quiet = expectSilence(current, 'portcullis:disconnect', 500);
    const cut = expectCut(old);
    await logout.revokeToken('key-old', Date.now() + 60_000);
    await Promise.all([cut, quiet]);
    await expectServed(current);
    const refused = await expectConnectError(server.url, { auth: { key: 'secret-old' } });
    expect(refused.data).toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it("picks the credentials issued before a time by the context's issuedAt", async () => {
    const { server, logout } = await keyServer();
    const old = await connectWith(server.url, 'secret-old');
    const current = await connectWith(server.url, 'secret-new');
    const quiet = expectSilence(current, 'portcullis:disconnect', 500);
    const cut = expectCut(old);
    await logout.revokeIssuedBefore('alice', NOW - 60_000);
    await Promise.all([cut, quiet]);
    await expectServed(current);
    const refused = await expectConnectError(server.url, { auth: { key: 'secret-old' } });
    expect(refused.data).toMatchObject({ code: 'SESSION_REVOKED' });
    await expectServed(await connectWith(server.url, 'secret-new'));
  });

  it('never reads raw claims: a jti in the claims is not a tokenId', async () => {
    const { server, logout } = await keyServer();
    const bob = await connectWith(server.url, 'secret-claims');
    const quiet = expectSilence(bob, 'portcullis:disconnect', 500);
    await logout.revokeToken('key-claims', Date.now() + 60_000);
    await quiet;
    await expectServed(bob);
  });
});
