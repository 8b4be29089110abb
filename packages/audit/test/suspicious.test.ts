import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  handshakeGuard,
  usePacketGuards,
  type SecurityEvent,
} from '@portcullis/core';
import { audit, detectSuspiciousActivity } from '@portcullis/audit';
import { connectClient, emitWithAck, expectConnectError, startServer } from '@portcullis/testing';

describe('detectSuspiciousActivity', () => {
  it('reports many auth failures from one IP once per window', async () => {
    const bus = new SecurityEventBus();
    const suspicious: SecurityEvent[] = [];
    bus.on((event) => {
      if (event.type === 'suspicious') suspicious.push(event);
    });
    const stop = detectSuspiciousActivity(bus, {
      authFailuresPerIp: { threshold: 3, windowMs: 60_000 },
      refusalsPerIp: false,
    });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        io.use(handshakeGuard('auth', () => new GuardError('AUTH_INVALID')));
      },
    });
    for (let attempt = 0; attempt < 5; attempt++) await expectConnectError(server.url);
    stop();
    expect(suspicious).toHaveLength(1);
    expect(suspicious[0]).toMatchObject({
      ip: '127.0.0.1',
      guard: 'audit',
      detail: { pattern: 'auth_failures_per_ip', count: 3, windowMs: 60_000 },
    });
  });

  it('reports a socket that keeps getting refused, and starts a new window later', async () => {
    const bus = new SecurityEventBus();
    let clock = 1_000;
    const patterns: string[] = [];
    bus.on((event) => {
      if (event.type === 'suspicious') patterns.push(String(event.detail?.pattern));
    });
    const stop = detectSuspiciousActivity(bus, {
      refusalsPerSocket: { threshold: 4, windowMs: 10_000 },
      now: () => clock,
    });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        usePacketGuards(io, { guardName: 'deny', check: () => new GuardError('FORBIDDEN') });
      },
    });
    const client = await connectClient(server.url);
    for (let i = 0; i < 6; i++) await emitWithAck(client, 'probe', i);
    expect(patterns).toEqual(['refusals_per_socket']);
    clock += 10_000;
    for (let i = 0; i < 4; i++) await emitWithAck(client, 'probe', i);
    stop();
    expect(patterns).toEqual(['refusals_per_socket', 'refusals_per_socket']);
  });

  it('tracks a bounded number of sources', () => {
    const bus = new SecurityEventBus();
    const reported: string[] = [];
    bus.on((event) => {
      if (event.type === 'suspicious') reported.push(event.ip);
    });
    const stop = detectSuspiciousActivity(bus, {
      authFailuresPerIp: { threshold: 2, windowMs: 60_000 },
      refusalsPerIp: false,
      maxTrackedSources: 100,
    });
    // 10,000 distinct sources, one failure each: nothing reported, memory stays bounded.
    for (let i = 0; i < 10_000; i++) {
      bus.emit({
        type: 'handshake_refused',
        code: 'AUTH_INVALID',
        at: 1,
        ip: `10.0.${i >> 8}.${i & 255}`,
      });
    }
    // A source seen twice in a row is still caught.
    bus.emit({ type: 'handshake_refused', code: 'AUTH_INVALID', at: 1, ip: '203.0.113.1' });
    bus.emit({ type: 'handshake_refused', code: 'AUTH_INVALID', at: 1, ip: '203.0.113.1' });
    stop();
    expect(reported).toEqual(['203.0.113.1']);
  });

  it('refuses misspelt options with their path and the nearest key', () => {
    const sink = (): void => undefined;
    expect(() => audit({ sinks: [sink], suspicous: false } as never)).toThrow(
      'audit: suspicous: unknown option, did you mean suspicious?',
    );
    expect(() =>
      audit({ sinks: [sink], suspicious: { refusalsPerSockt: false } } as never),
    ).toThrow(
      'audit: suspicious.refusalsPerSockt: unknown option, did you mean suspicious.refusalsPerSocket?',
    );
    expect(() =>
      detectSuspiciousActivity(new SecurityEventBus(), {
        refusalsPerIp: { threshold: 5, windowMS: 1000 },
      } as never),
    ).toThrow(/refusalsPerIp\.windowMS: unknown option, did you mean refusalsPerIp\.windowMs\?/);
  });

  it('validates thresholds', () => {
    expect(() =>
      detectSuspiciousActivity(new SecurityEventBus(), {
        authFailuresPerIp: { threshold: 0, windowMs: 1 },
      }),
    ).toThrow(/threshold/);
  });
});
