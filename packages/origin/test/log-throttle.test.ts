import { configurePortcullis } from '@portcullis/core';
import { originEngineMiddleware, originGuard } from '@portcullis/origin';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import { RefusalLog } from '../src/refusal-log';
import { GOOD, POLLING_PATH, eventCollector, rawRequest } from './helpers';

const MINUTE = 60_000;

describe('refusal log throttling', () => {
  it('io.use: records an origin once per interval, then reports what it suppressed', async () => {
    const { bus, events } = eventCollector();
    let clock = 1_000_000;
    const server = await startServer({
      setup(io) {
        // The interval runs on core's clock.
        configurePortcullis(io, { bus, now: () => clock });
        io.use(originGuard({ origins: [GOOD] }));
      },
    });
    const evil = { extraHeaders: { origin: 'https://evil.test' } };
    for (let i = 0; i < 4; i++) {
      // Every attempt is still refused with the same reply; only the log is throttled.
      expect((await expectConnectError(server.url, evil)).data?.code).toBe('ORIGIN_REJECTED');
    }
    await expectConnectError(server.url, { extraHeaders: { origin: 'https://other.test' } });
    expect(events.map((event) => [event.origin, event.detail])).toEqual([
      ['https://evil.test', { reason: 'not_allowed' }],
      ['https://other.test', { reason: 'not_allowed' }],
    ]);

    clock += MINUTE;
    await expectConnectError(server.url, evil);
    expect(events).toHaveLength(3);
    expect(events[2]?.detail).toEqual({ reason: 'not_allowed', suppressed: 3 });
    await connectClient(server.url, { extraHeaders: { origin: GOOD } });
  });

  it('engine: same rule for requests refused before the upgrade', async () => {
    const { bus, events } = eventCollector();
    let clock = 1_000_000;
    const server = await startServer({
      setup(io) {
        io.engine.use(originEngineMiddleware({ origins: [GOOD], bus, now: () => clock }));
      },
    });
    for (let i = 0; i < 5; i++) {
      expect(
        (await rawRequest(server.port, POLLING_PATH, { origin: 'https://evil.test' })).status,
      ).toBe(403);
    }
    expect((await rawRequest(server.port, POLLING_PATH)).status).toBe(403);
    expect(events.map((event) => event.detail?.reason)).toEqual(['not_allowed', 'missing']);
    clock += MINUTE - 1;
    await rawRequest(server.port, POLLING_PATH, { origin: 'https://evil.test' });
    expect(events).toHaveLength(2);
    clock += 1;
    await rawRequest(server.port, POLLING_PATH, { origin: 'https://evil.test' });
    expect(events).toHaveLength(3);
    expect(events[2]?.detail).toMatchObject({ reason: 'not_allowed', suppressed: 5 });
  });

  it('engine: random origins cannot grow the table; one summary per interval instead', async () => {
    const { bus, events } = eventCollector();
    let clock = 1_000_000;
    const server = await startServer({
      setup(io) {
        io.engine.use(
          originEngineMiddleware({ origins: [GOOD], bus, now: () => clock, maxTrackedOrigins: 3 }),
        );
      },
    });
    const refuse = (n: number) =>
      rawRequest(server.port, POLLING_PATH, { origin: `https://random-${n}.evil.test` });
    for (let n = 0; n < 8; n++) expect((await refuse(n)).status).toBe(403);
    expect(events.map((event) => event.type)).toEqual([
      'handshake_refused',
      'handshake_refused',
      'handshake_refused',
      'suspicious',
    ]);
    expect(events[3]).toMatchObject({
      code: 'ORIGIN_REJECTED',
      detail: { reason: 'too_many_origins', dropped: 1, trackedOrigins: 3 },
    });

    // Next interval: the old entries expire, new origins are recorded again.
    clock += MINUTE;
    for (let n = 8; n < 13; n++) await refuse(n);
    expect(events.slice(4).map((event) => event.type)).toEqual([
      'handshake_refused',
      'handshake_refused',
      'handshake_refused',
      'suspicious',
    ]);
    expect(events[7]?.detail).toMatchObject({ dropped: 5 });
  });

  it('RefusalLog stays bounded under a flood of distinct keys', () => {
    let clock = 0;
    const log = new RefusalLog(MINUTE, 100);
    let logged = 0;
    let overflows = 0;
    for (let n = 0; n < 10_000; n++) {
      const decision = log.decide(`https://${n}.evil.test`, clock);
      if (decision.kind === 'log') logged++;
      if (decision.kind === 'overflow') overflows++;
      if (n % 1000 === 999) clock += 1000;
      expect(log.size).toBeLessThanOrEqual(100);
    }
    expect(logged).toBe(100);
    expect(overflows).toBe(1);
    // A 5 MB origin header costs no more than its first 256 characters.
    log.decide(`https://${'a'.repeat(5_000_000)}.test`, clock);
    expect(log.size).toBeLessThanOrEqual(100);
  });

  it('logIntervalMs: false records every refusal', async () => {
    const { bus, events } = eventCollector();
    const server = await startServer({
      setup(io) {
        io.engine.use(originEngineMiddleware({ origins: [GOOD], bus, logIntervalMs: false }));
      },
    });
    for (let i = 0; i < 3; i++) {
      await rawRequest(server.port, POLLING_PATH, { origin: 'https://evil.test' });
    }
    expect(events).toHaveLength(3);
  });

  it('validates its options at set-up', () => {
    expect(() => originGuard({ origins: [GOOD], logIntervalMs: -1 })).toThrow(/logIntervalMs/);
    expect(() => originGuard({ origins: [GOOD], maxTrackedOrigins: 0 })).toThrow(
      /maxTrackedOrigins/,
    );
    expect(() => originEngineMiddleware({ origins: [GOOD], bus: {} as never })).toThrow(
      /SecurityEventBus/,
    );
    expect(() => originEngineMiddleware({ origins: [GOOD], trustedProxies: ['nonsense'] })).toThrow(
      /trustedProxies/,
    );
  });
});
