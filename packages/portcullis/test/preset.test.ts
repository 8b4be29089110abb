import Joi from 'joi';
import type { Server } from 'socket.io';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startServer,
  waitFor,
} from '@portcullis/testing';
import { portcullis } from 'portcullis';
import { ORIGIN, SECRET, honest, presetServer, token } from './helpers';

function chatHandlers(io: Server): void {
  io.on('connection', (socket) => {
    socket.on(
      'chat:send',
      (message: { roomId: string; text: string }, ack?: (reply: unknown) => void) =>
        ack?.({ ok: true, text: message.text }),
    );
    socket.on('admin:broadcast', (text: string, ack?: (reply: unknown) => void) =>
      ack?.({ ok: true, text }),
    );
  });
}

describe('portcullis(io, options): set-up checks', () => {
  it('asks for origins, auth, and known keys, saying how to fix it', async () => {
    const server = await startServer();
    expect(() => portcullis(server.io, { auth: false })).toThrow(
      /origins: \['https:\/\/app.example.com'\]/,
    );
    expect(() => portcullis(server.io, { origins: [ORIGIN] })).toThrow(
      /auth: \{ secret, algorithms/,
    );
    expect(() =>
      portcullis(server.io, { origins: [ORIGIN], auth: false, rateLimits: {} } as never),
    ).toThrow(/rateLimits: unknown option, did you mean rateLimit\?/);
    expect(() => portcullis(server.io, { origins: ['example.com'], auth: false })).toThrow();
    expect(() =>
      portcullis(server.io, {
        origins: [ORIGIN],
        auth: { secret: 'short', algorithms: ['HS256'] },
      }),
    ).toThrow();
  });
});

describe('the whole chain', () => {
  it('lets an honest client in and its messages through', async () => {
    const { server } = await presetServer({}, chatHandlers);
    const client = await connectClient(server.url, await honest());
    expect(await emitWithAck(client, 'chat:send', { roomId: 'general', text: 'hi' })).toEqual({
      ok: true,
      text: 'hi',
    });
  });

  it('installs the guards in the documented order', async () => {
    const { guards } = await presetServer({
      authorize: { rules: { 'admin:broadcast': { roles: ['admin'] } }, unknown: 'allow' },
      validate: {
        schemas: { 'chat:send': Joi.object({ roomId: Joi.string(), text: Joi.string() }) },
        unknownEvents: 'allow',
      },
      sanitize: true,
    });
    expect(guards.order.handshake).toEqual([
      'origin',
      'rate-limit (ip)',
      'auth',
      'rate-limit (user)',
      'logout-revoke',
      'connection-limit',
    ]);
    expect(guards.order.packet[0]).toBe('size-limit');
    const index = (name: string) =>
      guards.order.packet.findIndex((guard) => guard.startsWith(name));
    expect(index('rate-limit')).toBeLessThan(index('session-expiry'));
    expect(index('session-expiry')).toBeLessThan(index('authorize'));
    expect(index('authorize')).toBeLessThan(index('validate'));
    expect(index('validate')).toBeLessThan(index('sanitize'));
    expect(index('sanitize')).toBeLessThan(index('idle-timeout'));
  });

  it('refuses a foreign origin before the handshake, and a missing token with AUTH_REQUIRED', async () => {
    const { server } = await presetServer({}, chatHandlers);
    const foreign = await expectConnectError(server.url, {
      auth: { token: await token('alice') },
      extraHeaders: { origin: 'https://chat.example.com.evil.test' },
    });
    expect(foreign.message).toMatch(/websocket error|403/);
    const anonymous = await expectConnectError(server.url, { extraHeaders: { origin: ORIGIN } });
    expect(anonymous.data?.code).toBe('AUTH_REQUIRED');
    const expired = await expectConnectError(server.url, {
      auth: { token: await token('alice', { expiresInS: -60 }) },
      extraHeaders: { origin: ORIGIN },
    });
    expect(expired.data?.code).toBe('AUTH_EXPIRED');
    // Still serving honest clients.
    expect((await connectClient(server.url, await honest())).connected).toBe(true);
  });

  it('checks size before validation, and validation before the handler', async () => {
    const handled: unknown[] = [];
    const { server } = await presetServer(
      {
        validate: {
          schemas: {
            'chat:send': Joi.object({
              roomId: Joi.string().max(64).required(),
              text: Joi.string().max(1000).required(),
            }),
          },
        },
      },
      (io) =>
        io.on('connection', (socket) =>
          socket.on('chat:send', (m: unknown, ack: (r: unknown) => void) => {
            handled.push(m);
            ack({ ok: true });
          }),
        ),
    );
    const client = await connectClient(server.url, await honest());
    const huge = { roomId: 'general', text: 'x'.repeat(100_000), extra: true };
    expect(await emitWithAck(client, 'chat:send', huge)).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(await emitWithAck(client, 'chat:send', { roomId: 7 })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await emitWithAck(client, 'chat:delete', {})).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(
      await emitWithAck(client, 'chat:send', { roomId: 'general', text: 'ok', isAdmin: true }),
    ).toEqual({ ok: true });
    expect(handled).toEqual([{ roomId: 'general', text: 'ok' }]);
  });

  it('sanitises fields marked in the joi schema after validating them', async () => {
    const { server } = await presetServer(
      {
        validate: {
          schemas: {
            'chat:send': Joi.object({
              roomId: Joi.string().required(),
              text: Joi.string().required().meta({ sanitize: 'basic' }),
            }),
          },
        },
        sanitize: {
          schemas: {
            'chat:send': Joi.object({
              roomId: Joi.string().required(),
              text: Joi.string().required().meta({ sanitize: 'basic' }),
            }),
          },
        },
      },
      chatHandlers,
    );
    const client = await connectClient(server.url, await honest());
    const reply = (await emitWithAck(client, 'chat:send', {
      roomId: 'a&b',
      text: '<b>hi</b><img src=x onerror=alert(1)><script>alert(2)</script>',
    })) as { text: string };
    expect(reply.text).toContain('<b>hi</b>');
    // Escape mode (the default): the reader sees what was typed, inert.
    expect(reply.text).not.toMatch(/<img|<script/i);
    expect(reply.text).toContain('&lt;script&gt;');
  });

  it('refuses an admin event from a member with FORBIDDEN and delivers it for an admin', async () => {
    const { server } = await presetServer(
      { authorize: { rules: { 'admin:broadcast': { roles: ['admin'] } }, unknown: 'allow' } },
      chatHandlers,
    );
    const member = await connectClient(server.url, await honest('bob'));
    const admin = await connectClient(server.url, await honest('root', ['admin']));
    expect(await emitWithAck(member, 'admin:broadcast', 'all hands')).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(await emitWithAck(admin, 'admin:broadcast', 'all hands')).toEqual({
      ok: true,
      text: 'all hands',
    });
  });

  it('charges large messages by their size: 8 KiB messages run out long before small ones', async () => {
    const { server } = await presetServer({}, chatHandlers);
    const big = await connectClient(server.url, await honest('bianca'));
    const small = await connectClient(server.url, await honest('sol'));
    const send = async (client: typeof big, text: string): Promise<string> => {
      const reply = (await emitWithAck(client, 'chat:send', { roomId: 'general', text })) as {
        ok?: boolean;
        error?: { code: string };
      };
      return reply.ok === true ? 'ok' : (reply.error?.code ?? 'unknown');
    };
    const bigReplies: string[] = [];
    const smallReplies: string[] = [];
    for (let i = 0; i < 8; i++) {
      bigReplies.push(await send(big, 'x'.repeat(8 * 1024)));
      smallReplies.push(await send(small, `hello ${i}`));
    }
    // 30 points a second per socket: an 8 KiB message costs 9, a small one 1. Counted per
    // packet alone, all 16 would pass.
    expect(bigReplies).toContain('RATE_LIMITED');
    expect(smallReplies).toEqual(Array(8).fill('ok'));
  });

  it('limits a flooding client while an honest one keeps getting acks', async () => {
    const { server } = await presetServer({}, chatHandlers);
    const flooder = await connectClient(server.url, await honest('mallory'));
    const honestClient = await connectClient(server.url, await honest('alice'));
    const codes = new Set<string>();
    flooder.on('portcullis:error', (payload: { code: string }) => codes.add(payload.code));
    const gone = waitFor(flooder, 'disconnect', 15_000);
    for (let i = 0; i < 2000; i++)
      flooder.emit('chat:send', { roomId: 'general', text: `spam ${i}` });
    await gone;
    expect(codes).toEqual(new Set(['RATE_LIMITED']));
    for (let i = 0; i < 5; i++) {
      expect(
        await emitWithAck(honestClient, 'chat:send', { roomId: 'general', text: `hello ${i}` }),
      ).toEqual({
        ok: true,
        text: `hello ${i}`,
      });
    }
  });

  it('revokes a user on logout: SESSION_REVOKED first, then the same token is refused', async () => {
    const { server, guards } = await presetServer({}, chatHandlers);
    const options = await honest('carol');
    const carol = await connectClient(server.url, options);
    const dave = await connectClient(server.url, await honest('dave'));
    const notice = waitFor(carol, 'portcullis:disconnect');
    const gone = waitFor(carol, 'disconnect');
    await guards.revocation?.revokeUser('carol');
    expect((await notice)[0]).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
    await gone;
    const again = await expectConnectError(server.url, options);
    expect(again.data?.code).toBe('SESSION_REVOKED');
    expect(await emitWithAck(dave, 'chat:send', { roomId: 'general', text: 'still here' })).toEqual(
      {
        ok: true,
        text: 'still here',
      },
    );
  });

  it('refreshes a token in band with the handshake rules, for the same user only', async () => {
    const { server } = await presetServer({}, chatHandlers);
    const client = await connectClient(server.url, {
      auth: { token: await token('erin', { sid: 'erin-laptop' }) },
      extraHeaders: { origin: ORIGIN },
    });
    const fresh = await token('erin', { expiresInS: 7200, sid: 'erin-laptop' });
    const ok = (await emitWithAck(client, 'portcullis:refresh', fresh)) as {
      ok?: boolean;
      expiresAt?: number;
    };
    expect(ok.ok).toBe(true);
    expect(ok.expiresAt).toBeGreaterThan(Date.now() + 3_600_000);
    const other = await emitWithAck(
      client,
      'portcullis:refresh',
      await token('frank', { sid: 'erin-laptop' }),
    );
    expect(other).toMatchObject({ error: { code: 'AUTH_INVALID' } });
    const forged = await emitWithAck(client, 'portcullis:refresh', `${fresh.slice(0, -4)}AAAA`);
    expect(forged).toMatchObject({ error: { code: 'AUTH_INVALID' } });
  });

  it('runs with auth: false for public apps, still guarding origin, size and rate', async () => {
    const { server } = await presetServer({ auth: false }, chatHandlers);
    const client = await connectClient(server.url, { extraHeaders: { origin: ORIGIN } });
    expect(
      await emitWithAck(client, 'chat:send', { roomId: 'r', text: 'x'.repeat(70_000) }),
    ).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(SECRET.length).toBeGreaterThan(31);
  });
});
