import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { runProbe } from '@portcullis/probe';
import type { Portcullis } from 'portcullis';
import { ORIGIN, SECRET } from './fixtures/constants';
import { presetServer } from './fixtures/preset-server';
import type { Route } from './fixtures/routes';

const options = {
  origin: ORIGIN,
  hs256Secret: SECRET,
  only: ['logout'],
  sessions: 3,
  timeoutMs: 1500,
} as const;

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * Sign-in the way the chat example does it: `POST /login { name }` answers a token and
 * sets a session cookie; `POST /logout` reads the cookie (not the token) and revokes
 * that sign-in's session.
 */
function cookieSignIn(guards: Portcullis): Record<string, Route> {
  const key = new TextEncoder().encode(SECRET);
  return {
    '/login': async (req, res) => {
      if (req.headers.origin !== ORIGIN) {
        res.writeHead(403).end();
        return;
      }
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const { name } = JSON.parse(body) as { name: string };
      const sid = randomUUID();
      const token = await new SignJWT({ sid, roles: ['member'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(name)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(key);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Set-Cookie': `chat_session=${sid}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end(JSON.stringify({ token, user: { id: name } }));
    },
    '/logout': async (req, res) => {
      const sid = cookieOf(req.headers.cookie, 'chat_session');
      if (sid !== undefined) await guards.revocation?.revokeSession(sid);
      res.writeHead(204).end();
    },
  };
}

describe('logout check', () => {
  it('takes a callback, and passes when it revokes the user', async () => {
    const { server, guards } = await presetServer();
    const loggedOut: string[] = [];
    const report = await runProbe({
      ...options,
      url: server.url,
      logout: async (token) => {
        const { sub } = decodeJwt(token);
        loggedOut.push(String(sub));
        await guards.revocation?.revokeUser(String(sub));
      },
    });
    expect(loggedOut).toEqual(['portcullis-probe']);
    const logout = report.results.find(({ id }) => id === 'logout');
    expect(logout?.status).toBe('pass');
    expect(logout?.evidence.map((item) => item.code ?? item.received)).toEqual([
      'done',
      'SESSION_REVOKED',
      'SESSION_REVOKED',
      'SESSION_REVOKED',
      'SESSION_REVOKED',
    ]);
  });

  it('passes when the logout revokes the sign-in (every socket shares its session id)', async () => {
    const { server, guards } = await presetServer();
    const report = await runProbe({
      ...options,
      url: server.url,
      logout: async (token) => {
        await guards.revocation?.revokeSession(String(decodeJwt(token).sid));
      },
    });
    expect(report.results.find(({ id }) => id === 'logout')?.status).toBe('pass');
  });

  it('fails when the logout reaches only the socket of the token it was given', async () => {
    const { server, guards } = await presetServer();
    const report = await runProbe({
      ...options,
      url: server.url,
      logout: async (token) => {
        const { jti, exp } = decodeJwt(token);
        await guards.revocation?.revokeToken(String(jti), Number(exp) * 1000);
      },
    });
    const logout = report.results.find(({ id }) => id === 'logout');
    expect(logout?.status).toBe('fail');
    expect(logout?.evidence.map((item) => item.received)).toEqual([
      'done',
      'SESSION_REVOKED',
      'still connected',
      'still connected',
      'SESSION_REVOKED',
    ]);
    expect(logout?.summary).toBe('session 2 of 3 was still connected 1500 ms after the logout');
    expect(logout?.evidence.map(({ outcome }) => outcome)).toEqual([
      undefined,
      'disconnected',
      'connected',
      'connected',
      'refused',
    ]);
  });

  it('signs in through the login URL and logs out with its cookie', async () => {
    const { server } = await presetServer({}, cookieSignIn);
    const report = await runProbe({
      url: server.url,
      origin: ORIGIN,
      loginUrl: '/login',
      loginBody: { name: 'probe-user' },
      logoutUrl: '/logout',
      only: ['logout', 'no-token'],
      sessions: 2,
    });
    expect(report.results.map(({ id, status }) => [id, status])).toEqual([
      ['baseline', 'pass'],
      ['no-token', 'pass'],
      ['logout', 'pass'],
    ]);
    expect(report.results[0]?.evidence.map(({ attempt, received }) => [attempt, received])).toEqual(
      [
        ['POST /login', 'HTTP 200'],
        [`Origin: ${ORIGIN} + login token`, 'connected'],
      ],
    );
  });

  it('cannot judge when the logout hook itself fails, nor without one', async () => {
    const { server } = await presetServer();
    const broken = await runProbe({ ...options, url: server.url, logoutUrl: '/no-such-route' });
    const logout = broken.results.find(({ id }) => id === 'logout');
    expect(logout?.status).toBe('not-applicable');
    expect(logout?.summary).toBe('the logout hook failed (HTTP 404): fix it to run this check');

    const without = await runProbe({ ...options, url: server.url });
    expect(without.results.find(({ id }) => id === 'logout')?.status).toBe('not-applicable');
  });
});
