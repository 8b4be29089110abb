import {
  ProbeOptionsError,
  TargetRefusedError,
  isLoopbackOrPrivate,
  runProbe,
} from '@portcullis/probe';
import { EVENT, ORIGIN, PAYLOAD, SECRET } from './fixtures/constants';
import { unguardedServer } from './fixtures/unguarded-server';

describe('only the host the user names, and only a local one unless told', () => {
  it('knows loopback and private addresses from the rest', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.10',
      '::1',
      'fd12:3456::1',
      '::ffff:10.0.0.1',
    ]) {
      expect([address, isLoopbackOrPrivate(address)]).toEqual([address, true]);
    }
    // Public, link-local (cloud metadata), carrier-grade NAT, documentation, unspecified.
    for (const address of [
      '8.8.8.8',
      '172.32.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '2001:db8::1',
      'fe80::1',
      '::ffff:8.8.8.8',
    ]) {
      expect([address, isLoopbackOrPrivate(address)]).toEqual([address, false]);
    }
  });

  it('refuses a public address before sending anything, and says how to allow it', async () => {
    await expect(runProbe({ url: 'http://203.0.113.7:3000' })).rejects.toThrow(TargetRefusedError);
    await expect(runProbe({ url: 'http://[2001:db8::1]:3000' })).rejects.toThrow(
      /not a loopback or private address.*--i-own-this-host/,
    );
  });

  it('resolves a host name and checks what it resolves to (localhost)', async () => {
    const { server } = await unguardedServer();
    const report = await runProbe({
      url: `http://localhost:${server.port}`,
      only: ['polling-cors'],
    });
    expect(report.addresses.length).toBeGreaterThan(0);
    expect(report.addresses.every((address) => isLoopbackOrPrivate(address))).toBe(true);
    expect(report.results.map(({ id, status }) => [id, status])).toEqual([
      ['baseline', 'pass'],
      ['polling-cors', 'fail'],
    ]);
  });

  it('refuses a logout URL on another host', async () => {
    await expect(
      runProbe({ url: 'http://127.0.0.1:3000', logoutUrl: 'http://10.0.0.2:3000/logout' }),
    ).rejects.toThrow(/logoutUrl must be on the probed host 127.0.0.1/);
  });

  it('keeps every count within its bound', async () => {
    const tooMuch = [
      { floodCount: 10_001 },
      { floodCount: 0 },
      { floodSeconds: 61 },
      { oversizeBytes: 17 * 1024 * 1024 },
      { timeoutMs: 60_001 },
      { sessions: 11 },
      { maxConnections: 201 },
      { floodCount: 1.5 },
      { mutationCount: 0 },
      { mutationCount: 201 },
      { markupBytes: 1023 },
      { markupBytes: 1024 * 1024 + 1 },
      { markupDelayMs: 9 },
      { markupDelayMs: 10_001 },
      { namespaces: Array.from({ length: 11 }, (_, i) => `/n${i}`) },
      { namespaces: ['/'] },
      { namespaces: ['admin'] },
      { sanitizedFields: [] },
      { sanitizedFields: ['a', 'b', 'c', 'd', 'e', 'f'] },
      { sanitizedFields: ['bio..x'] },
      { sanitizedEvent: 'profile:update' },
    ];
    for (const option of tooMuch) {
      await expect(runProbe({ url: 'http://127.0.0.1:3000', ...option })).rejects.toThrow(
        ProbeOptionsError,
      );
    }
  });

  it('never sends more flood messages than configured', async () => {
    const { server, traffic } = await unguardedServer();
    const report = await runProbe({
      url: server.url,
      event: EVENT,
      payload: PAYLOAD,
      floodCount: 25,
      only: ['event-flood'],
    });
    expect(report.results[1]?.evidence[0]?.received).toBe('25 of 25 acked');
    // And the payload as given, once, before: refusals mean nothing unless it is acked.
    expect(traffic.handled).toBe(26);
  });

  it('keeps the markup bomb within markupBytes, just under it', async () => {
    const { server } = await unguardedServer();
    let largest = 0;
    server.io.engine.on('connection', (connection: NodeJS.EventEmitter) => {
      connection.on('packet', (packet: { type: string; data?: unknown }) => {
        if (packet.type === 'message' && typeof packet.data === 'string') {
          largest = Math.max(largest, Buffer.byteLength(packet.data) + 1);
        }
      });
    });
    const report = await runProbe({
      url: server.url,
      sanitizedEvent: 'profile:update',
      sanitizedFields: ['bio'],
      markupBytes: 8192,
      only: ['markup-bomb'],
    });
    expect(report.results[1]?.status).toBe('pass');
    // The whole frame, with the Engine.IO type byte; the ack id's room is at most 8 bytes.
    expect(largest).toBeLessThanOrEqual(8192);
    expect(largest).toBeGreaterThan(8192 - 16);
  });

  it('never opens more connections than configured, and says which checks it could not finish', async () => {
    const { server, traffic } = await unguardedServer();
    const report = await runProbe({
      url: server.url,
      origin: ORIGIN,
      hs256Secret: SECRET,
      event: EVENT,
      payload: PAYLOAD,
      maxConnections: 4,
    });
    expect(report.connections).toEqual({ used: 4, max: 4 });
    expect(traffic.requests).toBeLessThanOrEqual(4);
    const unfinished = report.results.filter(({ summary }) => /maxConnections \(4\)/.test(summary));
    expect(unfinished.length).toBeGreaterThan(0);
    // The probe's own bound: nothing was seen, so nothing fails.
    expect(unfinished.every(({ status }) => status === 'not-applicable')).toBe(true);
  });

  it('puts no token and no secret in the report', async () => {
    const { server } = await unguardedServer();
    const report = await runProbe({
      url: server.url,
      origin: ORIGIN,
      hs256Secret: SECRET,
      only: ['auth'],
    });
    const text = JSON.stringify(report);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/eyJ[\w-]+\./); // the start of every JWT
  });
});
