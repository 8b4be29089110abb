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

  it("reports a socket by the weight core's escalation gives its refusals, once per window", async () => {
    const bus = new SecurityEventBus();
    let clock = 1_000;
    const reports: SecurityEvent[] = [];
    const refusals: SecurityEvent[] = [];
    bus.on((event) => {
      if (event.type === 'suspicious') reports.push(event);
      if (event.type === 'packet_refused') refusals.push(event);
    });
    const stop = detectSuspiciousActivity(bus, { refusalsPerSocket: { threshold: 4 } });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, {
          bus,
          now: () => clock,
          // Never cut here; a FORBIDDEN weighs 2 by default, a VALIDATION_FAILED 3 here.
          escalation: {
            disconnectAfter: { refusals: 1_000, withinMs: 10_000 },
            weights: { VALIDATION_FAILED: 3 },
          },
        });
        usePacketGuards(io, {
          guardName: 'deny',
          check: (_socket, packet) =>
            new GuardError(packet[0] === 'schema' ? 'VALIDATION_FAILED' : 'FORBIDDEN'),
        });
      },
    });
    const client = await connectClient(server.url);
    // Weights 2, 4 (reported), 6, 8, 10: one report, at the step onto the threshold.
    for (let i = 0; i < 5; i++) await emitWithAck(client, 'probe', i);
    expect(refusals.map((event) => event.refusalWeight?.total)).toEqual([2, 4, 6, 8, 10]);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      socketId: client.id,
      detail: { pattern: 'refusals_per_socket', count: 4, windowMs: 10_000 },
    });
    // Core's window ends: a new window, weighed by core's weights (3, then 6: reported).
    clock += 10_000;
    await emitWithAck(client, 'schema', 1);
    await emitWithAck(client, 'schema', 2);
    expect(refusals.slice(5).map((event) => event.refusalWeight)).toEqual([
      { total: 3, added: 3, windowMs: 10_000 },
      { total: 6, added: 3, windowMs: 10_000 },
    ]);
    stop();
    expect(reports.map((event) => event.detail?.count)).toEqual([4, 6]);
  });

  it('never reports refusals that weigh nothing (INTERNAL: the server failed, not the client)', async () => {
    const bus = new SecurityEventBus();
    const reports: SecurityEvent[] = [];
    bus.on((event) => {
      if (event.type === 'suspicious') reports.push(event);
    });
    const stop = detectSuspiciousActivity(bus, { refusalsPerSocket: { threshold: 1 } });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        usePacketGuards(io, { guardName: 'broken', check: () => new GuardError('INTERNAL') });
      },
    });
    const client = await connectClient(server.url);
    for (let i = 0; i < 5; i++) await emitWithAck(client, 'probe', i);
    stop();
    expect(reports).toEqual([]);
  });

  it("points a per-socket window at core's escalation window", () => {
    expect(() =>
      detectSuspiciousActivity(new SecurityEventBus(), {
        refusalsPerSocket: { threshold: 5, windowMs: 60_000 },
      } as never),
    ).toThrow(/refusalsPerSocket\.windowMs: unknown option \(removed: .*escalation/);
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
