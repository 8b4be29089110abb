import { randomUUID } from 'node:crypto';
import { connectClient, emitWithAck, expectConnectError, waitFor } from '@portcullis/testing';
import { startChatProcess, type ChatProcess } from './support/chat-process';

/**
 * The chat server's own wiring, without a browser: the sign-in endpoints, the files it
 * serves, and the guards in front of each event, with Node's fetch and socket.io-client.
 */
let chat: ChatProcess;
let url: string;

beforeAll(async () => {
  chat = await startChatProcess('server.mjs');
  url = chat.urls[0] as string;
}, 30_000);
afterAll(async () => {
  await chat?.stop();
});

interface Grant {
  token: string;
  expiresAt: number;
  user: { id: string; roles: string[] };
}

async function post(path: string, headers: Record<string, string>, body?: unknown) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Signs in as the page would: from the page's origin, keeping the cookie. */
async function signIn(name: string): Promise<{ grant: Grant; cookie: string }> {
  const response = await post('/login', { origin: url }, { name });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return { grant: (await response.json()) as Grant, cookie };
}

const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as {
    sub: string;
    sid: string;
    roles: string[];
    exp: number;
    iat: number;
  };

const socketFor = (token: string) =>
  connectClient(url, { auth: { token }, extraHeaders: { origin: url } });

/** What @portcullis/client adds to each `chat:send`: a unique id and the send time. */
const stamped = <T extends object>(message: T) => ({
  ...message,
  messageId: randomUUID(),
  sentAt: Date.now(),
});

describe('sign-in endpoints', () => {
  it('signs in from the page origin only, with an HttpOnly SameSite=Strict cookie', async () => {
    expect((await post('/login', {}, { name: 'alice' })).status).toBe(403);
    expect((await post('/login', { origin: 'http://127.0.0.1:1' }, { name: 'alice' })).status).toBe(
      403,
    );
    const bad = await post('/login', { origin: url }, { name: '<script>' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await post('/login', { origin: url, 'content-type': 'text/plain' })).status).toBe(400);

    const response = await post('/login', { origin: url }, { name: 'alice' });
    expect(response.headers.get('set-cookie')).toMatch(
      /^chat_session=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/,
    );
    const grant = (await response.json()) as Grant;
    expect(grant.user).toEqual({ id: 'alice', roles: ['member'] });
    const claims = payloadOf(grant.token);
    expect(claims.sub).toBe('alice');
    expect(claims.exp - claims.iat).toBe(120);
    expect(grant.expiresAt).toBe(claims.exp * 1000);
  });

  it('renews tokens for the same session, and logout ends it', async () => {
    const { grant, cookie } = await signIn('bob');
    const renewed = await post('/token', { origin: url, cookie });
    expect(renewed.status).toBe(200);
    const next = (await renewed.json()) as Grant;
    expect(payloadOf(next.token).sid).toBe(payloadOf(grant.token).sid);
    expect(next.token).not.toBe(grant.token);
    // No sign-in in this browser: nothing to renew, and no error for a first visit.
    expect((await post('/token', { origin: url })).status).toBe(204);
    expect((await post('/token', { origin: url, cookie: 'chat_session=forged' })).status).toBe(401);
    expect((await post('/token', { origin: 'http://localhost:1', cookie })).status).toBe(403);

    const socket = await socketFor(next.token);
    const notice = waitFor(socket, 'portcullis:disconnect');
    const logout = await post('/logout', { origin: url, cookie });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/^chat_session=; .*Max-Age=0/);
    expect((await notice)[0]).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
    expect((await post('/token', { origin: url, cookie })).status).toBe(401);
    const refused = await expectConnectError(url, {
      auth: { token: grant.token },
      extraHeaders: { origin: url },
    });
    expect(refused.data?.code).toBe('SESSION_REVOKED');
  });

  it('gives a short session on request: 30 s, and no token outlives it', async () => {
    const response = await post('/login', { origin: url }, { name: 'quinn', short: true });
    expect(response.headers.get('set-cookie')).toMatch(/Max-Age=30$/);
    const grant = (await response.json()) as Grant;
    expect(grant.expiresAt - Date.now()).toBeLessThanOrEqual(30_000);
  });

  it('gives admin the admin role', async () => {
    const { grant } = await signIn('admin');
    expect(grant.user.roles).toEqual(['member', 'admin']);
  });
});

describe('files', () => {
  it('serves the page with its CSP and the browser builds, nothing else', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'self';.*frame-ancestors 'none'/,
    );
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    for (const path of [
      '/vendor/socket.io/socket.io.esm.min.js',
      '/vendor/portcullis-client/index.js',
      '/vendor/portcullis-client/render.js',
      '/vendor/dompurify/purify.es.mjs',
      '/js/main.js',
    ]) {
      const response = await fetch(`${url}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([
        path,
        200,
        'text/javascript; charset=utf-8',
      ]);
    }
    // The renderers' bare import of DOMPurify is pointed at the served build.
    const renderers = await (await fetch(`${url}/vendor/portcullis-client/render.js`)).text();
    expect(renderers).toContain('from "/vendor/dompurify/purify.es.mjs"');
    expect(renderers).not.toContain('from "dompurify"');
    for (const path of [
      '/%2e%2e/src/config.mjs',
      '/vendor/portcullis-client/%2e%2e/package.json',
      '/vendor/socket.io/..%2f..%2fpackage.json',
      '/missing.js',
      '/%E0%A4%A',
    ]) {
      expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 404]);
    }
  });
});

describe('socket events', () => {
  it('refuses sockets without a token or from another origin', async () => {
    const { grant } = await signIn('carol');
    expect((await expectConnectError(url, { extraHeaders: { origin: url } })).data?.code).toBe(
      'AUTH_REQUIRED',
    );
    const foreign = await expectConnectError(url, {
      auth: { token: grant.token },
      extraHeaders: { origin: 'http://127.0.0.1:1' },
    });
    expect(foreign.message).toMatch(/websocket error|403/);
  });

  it('validates, authorizes and sanitizes each event before the chat sees it', async () => {
    const member = await socketFor((await signIn('dave')).grant.token);
    const admin = await socketFor((await signIn('admin')).grant.token);

    expect(await emitWithAck(member, 'room:join', { room: 'Bad Room' })).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        details: [{ path: 'room', type: 'string.pattern.base' }],
      },
    });
    expect(
      await emitWithAck(member, 'chat:send', stamped({ room: 'general', text: 'hi' })),
    ).toMatchObject({
      error: { code: 'FORBIDDEN', message: 'Join the room before writing in it.' },
    });
    expect(await emitWithAck(member, 'room:join', { room: 'general' })).toEqual({
      ok: true,
      room: 'general',
      private: false,
    });
    expect(await emitWithAck(admin, 'room:join', { room: 'general' })).toEqual({
      ok: true,
      room: 'general',
      private: false,
    });

    const relayed = waitFor(admin, 'chat:message');
    await emitWithAck(
      member,
      'chat:send',
      stamped({
        room: 'general',
        text: ' <b>hi</b> <img src=x onerror=alert(1)> ',
        from: 'admin',
      }),
    );
    expect((await relayed)[0]).toMatchObject({
      room: 'general',
      from: 'dave',
      text: '<b>hi</b> &lt;img src="x" onerror="alert(1)" /&gt;',
      node: 'solo',
    });

    expect(await emitWithAck(member, 'admin:broadcast', { text: 'hello all' })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    const announced = waitFor(member, 'chat:announcement');
    expect(await emitWithAck(admin, 'admin:broadcast', { text: 'hello all' })).toMatchObject({
      ok: true,
    });
    expect((await announced)[0]).toMatchObject({ from: 'admin', text: 'hello all' });

    expect(await emitWithAck(member, 'room:delete', { room: 'general' })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await emitWithAck(member, 'chat:send', stamped({ room: 'general', text: 'x'.repeat(1001) })),
    ).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(member.connected).toBe(true);
  });
});

describe('rooms, content rules and replays', () => {
  it('opens the private room to admins and to invited users only', async () => {
    const admin = await socketFor((await signIn('admin')).grant.token);
    const erin = await socketFor((await signIn('erin')).grant.token);
    const frank = await socketFor((await signIn('frank')).grant.token);

    // Naming the room is not enough, nor is writing into it without joining.
    expect(await emitWithAck(erin, 'room:join', { room: 'backstage' })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await emitWithAck(erin, 'chat:send', stamped({ room: 'backstage', text: 'let me in' })),
    ).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // Admins' tokens carry the capability.
    expect(await emitWithAck(admin, 'room:join', { room: 'backstage' })).toEqual({
      ok: true,
      room: 'backstage',
      private: true,
    });
    // Only admins invite.
    expect(
      await emitWithAck(erin, 'room:invite', { room: 'backstage', user: 'erin' }),
    ).toMatchObject({ error: { code: 'FORBIDDEN' } });

    const invited = waitFor(erin, 'room:invited');
    expect(await emitWithAck(admin, 'room:invite', { room: 'backstage', user: 'erin' })).toEqual({
      ok: true,
      room: 'backstage',
      user: 'erin',
    });
    const [invitation] = (await invited) as [{ room: string; from: string; invite: string }];
    expect(invitation).toMatchObject({ room: 'backstage', from: 'admin' });

    // Someone else's invitation opens nothing: it names its user.
    expect(
      await emitWithAck(frank, 'room:join', { room: 'backstage', invite: invitation.invite }),
    ).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const joined = (await emitWithAck(erin, 'room:join', {
      room: 'backstage',
      invite: invitation.invite,
    })) as { ok: boolean; expiresAt: number };
    expect(joined).toMatchObject({ ok: true, room: 'backstage', private: true });
    expect(joined.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);

    const relayed = waitFor(erin, 'chat:message');
    expect(
      await emitWithAck(admin, 'chat:send', stamped({ room: 'backstage', text: 'welcome erin' })),
    ).toMatchObject({ ok: true });
    expect((await relayed)[0]).toMatchObject({ room: 'backstage', text: 'welcome erin' });
    expect(
      await emitWithAck(frank, 'chat:send', stamped({ room: 'backstage', text: 'hello?' })),
    ).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('refuses the same message a fourth time, and the same packet twice', async () => {
    const grace = await socketFor((await signIn('grace')).grant.token);
    await emitWithAck(grace, 'room:join', { room: 'spam-test' });
    const same = { room: 'spam-test', text: 'BUY NOW' };
    for (let i = 0; i < 3; i++) {
      expect(await emitWithAck(grace, 'chat:send', stamped(same))).toMatchObject({ ok: true });
    }
    expect(
      await emitWithAck(grace, 'chat:send', stamped({ ...same, text: 'buy   now' })),
    ).toMatchObject({ error: { code: 'CONTENT_REJECTED', info: { reason: 'duplicate' } } });

    // Another user: grace has used 4 of her 5 messages per 5 s.
    const heidi = await socketFor((await signIn('heidi')).grant.token);
    await emitWithAck(heidi, 'room:join', { room: 'spam-test' });
    const once = stamped({ room: 'spam-test', text: 'vote for a' });
    expect(await emitWithAck(heidi, 'chat:send', once)).toMatchObject({ ok: true });
    expect(await emitWithAck(heidi, 'chat:send', once)).toMatchObject({
      error: { code: 'REPLAYED', info: { reason: 'duplicate', duplicate: true } },
    });
    expect(
      await emitWithAck(heidi, 'chat:send', { room: 'spam-test', text: 'no id' }),
    ).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect([grace.connected, heidi.connected]).toEqual([true, true]);
  });
});
