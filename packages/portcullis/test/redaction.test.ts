import { Writable } from 'node:stream';
import Joi from 'joi';
import { pino } from 'pino';
import * as promClient from 'prom-client';
import { connectClient, emitWithAck, expectConnectError, waitFor } from '@portcullis/testing';
import { SecurityEventBus, audit, jsonLinesSink, pinoSink, prometheusSink } from 'portcullis';
import { ORIGIN, presetServer, token } from './helpers';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('redaction across every refusal path', () => {
  it('no sink ever sees a token, cookie, session id or message body', async () => {
    const bus = new SecurityEventBus();
    const json = sink();
    const logs = sink();
    const registry = new promClient.Registry();
    const stop = audit({
      bus,
      sinks: [
        jsonLinesSink(json.stream),
        pinoSink(pino(logs.stream)),
        prometheusSink(promClient, { registry }),
      ],
      suspicious: { authFailuresPerIp: { threshold: 3, windowMs: 60_000 } },
    });
    const secrets: string[] = [];
    const keep = (value: string): string => {
      secrets.push(value);
      return value;
    };
    const { server, guards } = await presetServer(
      {
        bus,
        auth: {
          secret: 'preset-test-secret-that-is-32-bytes-long!',
          algorithms: ['HS256'],
          sources: ['auth', 'header', 'cookie', 'query'],
          cookieName: 'session_token',
        },
        validate: {
          schemas: {
            'chat:send': Joi.object({
              roomId: Joi.string().required(),
              text: Joi.string().max(100).required(),
            }),
          },
        },
      },
      (io) =>
        io.on('connection', (socket) =>
          socket.on('chat:send', (_message: unknown, ack?: (reply: unknown) => void) =>
            ack?.({ ok: true }),
          ),
        ),
    );
    const at = { extraHeaders: { origin: ORIGIN } };

    // Foreign origin, carrying a valid token and a cookie.
    const stolen = keep(await token('victim', { sid: keep('victim-session-1') }));
    await expectConnectError(server.url, {
      auth: { token: stolen },
      extraHeaders: {
        origin: 'https://evil.test',
        cookie: `session_token=${keep('cookie-secret-value-1')}`,
      },
    });
    // Bad tokens: garbage, expired, wrong key, in auth, header, cookie and query.
    const expired = keep(
      await token('victim', { expiresInS: -120, sid: keep('expired-session-2') }),
    );
    await expectConnectError(server.url, { ...at, auth: { token: keep('garbage.token.value') } });
    await expectConnectError(server.url, { ...at, auth: { token: expired } });
    await expectConnectError(server.url, {
      extraHeaders: { origin: ORIGIN, authorization: `Bearer ${keep('header-bearer-secret')}` },
    });
    await expectConnectError(server.url, {
      extraHeaders: { origin: ORIGIN, cookie: `session_token=${keep('cookie-secret-value-2')}` },
    });
    await expectConnectError(server.url, { ...at, query: { token: keep('query-token-secret') } });

    // A connected user sends oversized and invalid payloads, floods, and is revoked.
    const userToken = keep(await token('mallory', { sid: keep('mallory-session-3') }));
    const client = await connectClient(server.url, { ...at, auth: { token: userToken } });
    await emitWithAck(client, 'chat:send', {
      roomId: 'r',
      text: keep('BODY-oversized-') + 'x'.repeat(70_000),
    });
    await emitWithAck(client, 'chat:send', {
      roomId: 'r',
      text: keep('BODY-invalid-too-long-') + 'y'.repeat(200),
    });
    await emitWithAck(client, 'chat:unknown', { secret: keep('BODY-unknown-event') });
    for (let i = 0; i < 40; i++)
      client.emit('chat:send', { roomId: 'r', text: keep(`BODY-flood-${i}`) });
    await emitWithAck(client, 'chat:send', { roomId: 'r', text: 'sync' }).catch(() => undefined);
    const gone = waitFor(client, 'disconnect');
    await guards.revocation?.revokeUser('mallory');
    await gone;
    await expectConnectError(server.url, { ...at, auth: { token: userToken } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();

    const outputs = { json: json.text(), pino: logs.text(), prometheus: await registry.metrics() };
    // The paths did produce events…
    for (const code of [
      'AUTH_INVALID',
      'AUTH_EXPIRED',
      'PAYLOAD_TOO_LARGE',
      'VALIDATION_FAILED',
      'RATE_LIMITED',
      'SESSION_REVOKED',
      'ORIGIN_REJECTED',
    ]) {
      expect(outputs.json).toContain(code);
    }
    expect(outputs.json).toContain('"suspicious"');
    // …and none of them carries a secret or a body.
    for (const [name, output] of Object.entries(outputs)) {
      for (const secret of secrets) {
        if (output.includes(secret)) throw new Error(`${name} output contains "${secret}"`);
      }
      expect(output).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
      expect(output).not.toContain('BODY-');
    }
  });
});
