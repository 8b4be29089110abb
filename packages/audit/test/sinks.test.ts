import { Writable } from 'node:stream';
import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  handshakeGuard,
  recordConnections,
  usePacketGuards,
  type SecurityEvent,
} from '@portcullis/core';
import { audit, jsonLinesSink, pinoSink, prometheusSink, redactEvent } from '@portcullis/audit';
import { connectClient, emitWithAck, expectConnectError, startServer } from '@portcullis/testing';
import { pino } from 'pino';
import * as promClient from 'prom-client';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA';

/**
 * The token everywhere a client can put it and a careless change could copy it from:
 * the auth object, the query string, the Authorization and Cookie headers.
 */
const planted = (token: string) => ({
  auth: { token },
  query: { token: TOKEN },
  extraHeaders: { authorization: `Bearer ${TOKEN}`, cookie: `session=${TOKEN}` },
});

/** Resolves once `lines` holds `count` lines (the sink wrote them), or fails. */
async function linesReach(lines: string[], count: number): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (lines.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${lines.length} of ${count} lines written`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A server whose guards refuse on demand, feeding `bus`. */
async function guardedServer(bus: SecurityEventBus) {
  return startServer({
    setup(io) {
      configurePortcullis(io, { bus });
      recordConnections(io);
      // Refusals carry the token in their cause, where a careless sink could copy it from.
      io.use(
        handshakeGuard('auth', (socket) =>
          socket.handshake.auth.token === 'good'
            ? undefined
            : new GuardError('AUTH_INVALID', { cause: new Error(`bad token ${TOKEN}`) }),
        ),
      );
      usePacketGuards(io, {
        guardName: 'validate',
        check: (_socket, [event]) =>
          event === 'bad'
            ? new GuardError('VALIDATION_FAILED', { cause: new Error(`token ${TOKEN}`) })
            : undefined,
      });
      io.on('connection', (socket) => socket.on('ok', (ack: (v: string) => void) => ack('ok')));
    },
  });
}

function collectLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let buffer = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
      callback();
    },
  });
  return { stream, lines };
}

describe('jsonLinesSink', () => {
  it('writes one redacted JSON line per event, with no token or message body', async () => {
    const bus = new SecurityEventBus();
    const { stream, lines } = collectLines();
    const stop = audit({ bus, sinks: [jsonLinesSink(stream)], suspicious: false });
    const server = await guardedServer(bus);
    await expectConnectError(server.url, planted(TOKEN));
    const client = await connectClient(server.url, planted('good'));
    await emitWithAck(client, 'bad', { text: 'my private message' });
    client.disconnect();
    // The disconnection is the fourth event: wait for it to be written, not for a timer.
    await linesReach(lines, 4);
    stop();
    const events = lines.map((line) => JSON.parse(line) as SecurityEvent);
    expect(events.map((event) => `${event.type}:${event.code ?? ''}`)).toEqual([
      'handshake_refused:AUTH_INVALID',
      'connection:',
      'packet_refused:VALIDATION_FAILED',
      'disconnection:',
    ]);
    const all = lines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('my private message');
  });

  it('masks credentials that a custom event might carry', () => {
    const redacted = redactEvent({
      type: 'warning',
      at: 1,
      ip: '127.0.0.1',
      detail: {
        authorization: 'Bearer abc',
        note: `token was ${TOKEN}`,
        header: 'Bearer sk_live_123',
        sessionId: 's-1',
        count: 3,
        long: 'x'.repeat(10_000),
      },
    });
    const text = JSON.stringify(redacted);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('sk_live_123');
    expect(text).not.toContain('s-1');
    expect(redacted.detail?.count).toBe(3);
    expect(String(redacted.detail?.long).length).toBeLessThan(300);
  });
});

describe('pinoSink', () => {
  it('logs refusals at warn and connections at info through a real pino logger', async () => {
    const bus = new SecurityEventBus();
    const { stream, lines } = collectLines();
    const logger = pino({ level: 'info' }, stream);
    const stop = audit({ bus, sinks: [pinoSink(logger)], suspicious: false });
    const server = await guardedServer(bus);
    await expectConnectError(server.url, planted(TOKEN));
    await connectClient(server.url, planted('good'));
    await linesReach(lines, 2);
    stop();
    const entries = lines.map(
      (line) => JSON.parse(line) as { level: number; portcullis: SecurityEvent },
    );
    expect(entries.map((entry) => [entry.level, entry.portcullis.type])).toEqual([
      [40, 'handshake_refused'],
      [30, 'connection'],
    ]);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('prometheusSink', () => {
  it('counts refusals by guard and code, and live connections', async () => {
    const bus = new SecurityEventBus();
    const registry = new promClient.Registry();
    const stop = audit({
      bus,
      sinks: [prometheusSink(promClient, { registry })],
      suspicious: false,
    });
    const server = await guardedServer(bus);
    await expectConnectError(server.url, { auth: { token: 'x' } });
    await expectConnectError(server.url, { auth: { token: 'y' } });
    const client = await connectClient(server.url, { auth: { token: 'good' } });
    await emitWithAck(client, 'bad');
    stop();
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      'portcullis_refusals_total{guard="auth",code="AUTH_INVALID",stage="handshake"} 2',
    );
    expect(metrics).toContain(
      'portcullis_refusals_total{guard="validate",code="VALIDATION_FAILED",stage="packet"} 1',
    );
    expect(metrics).toMatch(/portcullis_connections 1\b/);
    expect(metrics).not.toContain('127.0.0.1');
  });

  it('refuses an invalid prefix at set-up', () => {
    expect(() => prometheusSink(promClient, { prefix: 'bad prefix' })).toThrow(/prefix/);
  });
});

describe('audit', () => {
  it('needs at least one sink and says how to add one', () => {
    expect(() => audit({ sinks: [] })).toThrow(/jsonLinesSink\(process.stdout\)/);
  });

  it('keeps serving when a sink throws', async () => {
    const bus = new SecurityEventBus({ onListenerError: () => undefined });
    const seen: string[] = [];
    const stop = audit({
      bus,
      sinks: [
        () => {
          throw new Error('sink down');
        },
        (event) => {
          seen.push(event.type);
        },
      ],
      suspicious: false,
    });
    const server = await guardedServer(bus);
    const client = await connectClient(server.url, { auth: { token: 'good' } });
    expect(await emitWithAck(client, 'ok')).toBe('ok');
    stop();
    expect(seen).toEqual(['connection']);
  });
});
