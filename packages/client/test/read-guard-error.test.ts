import { emitWithAck, expectConnectError, waitFor } from '@portcullis/testing';
import { isGuardError, readGuardError } from '../src';
import { ORIGIN, browserLikeClient, guardedServer, token } from './helpers';

const origin = { extraHeaders: { origin: ORIGIN } };

describe('readGuardError on each shape a real server sends', () => {
  it('reads the Error of connect_error (AUTH_REQUIRED, AUTH_EXPIRED)', async () => {
    const { server } = await guardedServer();
    const anonymous = await expectConnectError(server.url, origin);
    expect(readGuardError(anonymous)).toEqual({
      code: 'AUTH_REQUIRED',
      message: expect.any(String),
      retryable: false,
    });
    expect(isGuardError(anonymous)).toBe(true);
    const expired = await expectConnectError(server.url, {
      ...origin,
      auth: { token: await token('alice', { expiresInS: -60 }) },
    });
    expect(readGuardError(expired)).toMatchObject({ code: 'AUTH_EXPIRED', retryable: true });
  });

  it('reads retryAfterMs of a rate-limited handshake', async () => {
    const { server } = await guardedServer({
      rateLimit: { connections: { perIp: { points: 1, durationMs: 60_000 } } },
    });
    await expectConnectError(server.url, origin); // spends the one attempt
    const limited = await expectConnectError(server.url, {
      ...origin,
      auth: { token: await token('alice') },
    });
    const info = readGuardError(limited);
    expect(info).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      info: { limit: expect.any(String) },
    });
    expect(info?.retryAfterMs).toBeGreaterThan(0);
    expect(info?.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('reads an ack reply { error } and a portcullis:error payload (with its event)', async () => {
    const { server } = await guardedServer({
      authorize: { rules: { 'admin:broadcast': { roles: ['admin'] } }, unknown: 'allow' },
    });
    const socket = browserLikeClient(server.url, { auth: { token: await token('bob') } });
    await waitFor(socket, 'connect');
    const reply = await emitWithAck(socket, 'admin:broadcast', 'hello');
    expect(readGuardError(reply)).toMatchObject({ code: 'FORBIDDEN', retryable: false });
    expect(isGuardError(reply)).toBe(true);

    const notified = waitFor(socket, 'portcullis:error');
    socket.emit('admin:broadcast', 'hello without an ack');
    const [payload] = await notified;
    expect(readGuardError(payload)).toMatchObject({
      code: 'FORBIDDEN',
      event: 'admin:broadcast',
      retryable: false,
    });
  });

  it('reads a portcullis:disconnect payload (logout elsewhere)', async () => {
    const { server, guards } = await guardedServer();
    const socket = browserLikeClient(server.url, { auth: { token: await token('carol') } });
    await waitFor(socket, 'connect');
    const notice = waitFor(socket, 'portcullis:disconnect');
    await guards.revocation?.revokeUser('carol');
    const [payload] = await notice;
    expect(readGuardError(payload)).toEqual({
      code: 'SESSION_REVOKED',
      message: expect.any(String),
      retryable: false,
    });
  });
});

describe('readGuardError on anything else', () => {
  it('answers undefined for values that are not refusals', async () => {
    const { server } = await guardedServer();
    const socket = browserLikeClient(server.url, { auth: { token: await token('dave') } });
    await waitFor(socket, 'connect');
    const ordinaryReply = await emitWithAck(socket, 'chat:send', { text: 'hi' });
    expect(ordinaryReply).toEqual({ ok: true });
    const networkError = await expectConnectError('http://127.0.0.1:1', origin);
    for (const value of [
      ordinaryReply,
      networkError,
      new Error('boom'),
      Object.assign(new Error('econnrefused'), { code: 'ECONNREFUSED' }),
      { error: 'RATE_LIMITED' },
      { error: { code: 'TEAPOT' } },
      { code: 'toString' },
      'RATE_LIMITED',
      null,
      undefined,
      42,
    ]) {
      expect(readGuardError(value)).toBeUndefined();
      expect(isGuardError(value)).toBe(false);
    }
  });

  it('keeps only well-typed fields and cannot be steered into a prototype', () => {
    const payload = JSON.parse(
      '{"error":{"code":"VALIDATION_FAILED","message":7,"retryable":"yes","retryAfterMs":-5,' +
        '"details":[{"path":"text","type":"string.max"},{"path":1},"x"],' +
        '"info":{"limit":"maxBytes","max":10,"nested":{"a":1},"nan":null,"__proto__":"steer"},' +
        '"event":["chat:send"],"extra":"dropped"}}',
    ) as unknown;
    const info = readGuardError(payload);
    expect(info).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'VALIDATION_FAILED',
      retryable: false,
      details: [{ path: 'text', type: 'string.max' }],
      info: { limit: 'maxBytes', max: 10 },
    });
    expect(Object.keys(info?.info ?? {})).toEqual(['limit', 'max']);
  });
});
