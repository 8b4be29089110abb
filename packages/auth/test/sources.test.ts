import {
  SecurityEventBus,
  configurePortcullis,
  getContext,
  recordConnections,
} from '@portcullis/core';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import { authGuard, type AuthGuardOptions } from '../src';
import { OTHER_SECRET, collect, eventually, sign } from './helpers';

interface Seen {
  id: string | undefined;
  query: unknown;
  url: string;
}

async function serve(options: Partial<AuthGuardOptions> = {}) {
  const seen: Seen[] = [];
  const bus = new SecurityEventBus();
  const events = collect(bus);
  const server = await startServer({
    setup(io) {
      configurePortcullis(io, { bus });
      recordConnections(io);
      io.use(authGuard({ algorithms: ['HS256'], secret: OTHER_SECRET, ...options }));
      io.on('connection', (socket) =>
        seen.push({
          id: getContext(socket).user?.id,
          query: { ...socket.handshake.query },
          url: socket.handshake.url,
        }),
      );
    },
  });
  return { url: server.url, seen, events };
}

function token(sub: string): Promise<string> {
  return sign({ sub }, { key: OTHER_SECRET });
}

describe('token sources', () => {
  it('reads handshake.auth.token and Authorization: Bearer by default', async () => {
    const { url, seen } = await serve();
    await connectClient(url, { auth: { token: await token('from-auth') } });
    await connectClient(url, {
      extraHeaders: { authorization: `Bearer ${await token('from-header')}` },
    });
    await connectClient(url, {
      extraHeaders: { authorization: `bearer   ${await token('lower-case')}` },
    });
    expect(seen.map((entry) => entry.id)).toEqual(['from-auth', 'from-header', 'lower-case']);
    // Another scheme is not a bearer token; a bearer value with spaces is not a token.
    const basic = await expectConnectError(url, { extraHeaders: { authorization: 'Basic dTpw' } });
    expect(basic.data?.code).toBe('AUTH_REQUIRED');
    const spaced = await expectConnectError(url, { extraHeaders: { authorization: 'Bearer a b' } });
    expect(spaced.data?.code).toBe('AUTH_INVALID');
  });

  it('reads a named cookie only when the cookie source is configured', async () => {
    const cookie = async (sub: string) => `theme=dark; access_token=${await token(sub)}; x=1`;
    const off = await serve();
    const refused = await expectConnectError(off.url, {
      extraHeaders: { cookie: await cookie('c') },
    });
    expect(refused.data?.code).toBe('AUTH_REQUIRED');
    const on = await serve({ sources: ['auth', 'cookie'], cookieName: 'access_token' });
    await connectClient(on.url, { extraHeaders: { cookie: await cookie('from-cookie') } });
    expect(on.seen.map((entry) => entry.id)).toEqual(['from-cookie']);
  });

  it('reads the query parameter only when opted in', async () => {
    const off = await serve();
    const refused = await expectConnectError(off.url, { query: { token: await token('q') } });
    expect(refused.data?.code).toBe('AUTH_REQUIRED');
    const on = await serve({ sources: ['auth', 'query'], queryParam: 'access_token' });
    await connectClient(on.url, { query: { access_token: await token('from-query') } });
    expect(on.seen.map((entry) => entry.id)).toEqual(['from-query']);
  });

  it('takes the first source that has a token, in the configured order', async () => {
    const { url, seen } = await serve({ sources: ['header', 'auth'] });
    await connectClient(url, {
      auth: { token: await token('auth') },
      extraHeaders: { authorization: `Bearer ${await token('header')}` },
    });
    expect(seen.map((entry) => entry.id)).toEqual(['header']);
    // A present but bad token is refused; it does not fall through to the next source.
    const error = await expectConnectError(url, {
      auth: { token: await token('auth') },
      extraHeaders: { authorization: 'Bearer not.a.token' },
    });
    expect(error.data?.code).toBe('AUTH_INVALID');
  });

  it('never puts a query token in a security event, and redacts it from the handshake', async () => {
    const { url, seen, events } = await serve({ sources: ['query'] });
    const good = await token('q-user');
    const bad = await sign({ sub: 'q-user' }); // signed with another secret
    const client = await connectClient(url, { query: { token: good, lang: 'en' } });
    await expectConnectError(url, { query: { token: bad } });
    client.disconnect();
    await eventually(() => events.some((event) => event.type === 'disconnection'));
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['connection', 'handshake_refused', 'disconnection']),
    );
    const logged = JSON.stringify(events);
    for (const secret of [good, bad]) {
      for (const part of secret.split('.')) expect(logged).not.toContain(part);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.query).toMatchObject({ token: '[redacted]', lang: 'en' });
    expect(seen[0]?.url).toContain('token=%5Bredacted%5D');
    expect(seen[0]?.url).not.toContain(good.split('.')[2]);
  });
});
