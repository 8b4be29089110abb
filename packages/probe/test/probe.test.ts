import { runProbe, type CheckId, type CheckResult, type ProbeReport } from '@portcullis/probe';
import { EVENT, ORIGIN, PAYLOAD, SECRET, presetServer, unguardedServer } from './servers';

function byId(report: ProbeReport): Map<CheckId, CheckResult> {
  return new Map(report.results.map((result) => [result.id, result]));
}

function received(result: CheckResult | undefined): string[] {
  return (result?.evidence ?? []).map((item) => item.received);
}

/** The Portcullis code of each answer, else what was received. */
function codes(result: CheckResult | undefined): string[] {
  return (result?.evidence ?? []).map((item) => item.code ?? item.received);
}

const common = {
  origin: ORIGIN,
  hs256Secret: SECRET,
  event: EVENT,
  payload: PAYLOAD,
  floodCount: 100,
  timeoutMs: 2000,
  logoutUrl: '/logout',
} as const;

describe('against an unguarded Socket.io server', () => {
  it('finds every hole, each for the reason it exists', async () => {
    const { server } = await unguardedServer();
    const report = await runProbe({ ...common, url: server.url });
    const results = byId(report);

    expect(report.ok).toBe(false);
    expect(results.get('baseline')?.status).toBe('pass');
    const failed = report.results.filter((result) => result.status === 'fail').map(({ id }) => id);
    expect(failed).toEqual([
      'foreign-origin',
      'missing-origin',
      'null-origin',
      'per-message-deflate',
      'polling-cors',
      'no-token',
      'alg-none',
      'expired-token',
      'wrong-key',
      'oversized-payload',
      'prototype-pollution',
      'field-types',
      'type-confusion',
      'event-flood',
      'logout',
    ]);
    expect(report.failed).toBe(15);

    // Every bad handshake got in.
    expect(received(results.get('foreign-origin'))).toEqual(['connected', 'connected']);
    for (const id of [
      'missing-origin',
      'null-origin',
      'no-token',
      'alg-none',
      'expired-token',
      'wrong-key',
    ] as const) {
      expect(received(results.get(id))).toEqual(['connected']);
    }
    expect(received(results.get('per-message-deflate'))[0]).toMatch(/^permessage-deflate/);
    expect(received(results.get('polling-cors'))).toEqual([
      'HTTP 200, ACAO * + credentials',
      'HTTP 200, ACAO * + credentials',
    ]);
    // Every bad message reached the handler.
    expect(received(results.get('oversized-payload'))).toEqual(['acked']);
    expect(received(results.get('prototype-pollution'))).toEqual(['acked', 'acked']);
    // The payload as given, then its 14 mutations.
    expect(received(results.get('field-types'))).toEqual(Array(15).fill('acked'));
    // socket.io-parser 4.2.7 closes the connection on the two CVE packets by itself.
    expect(received(results.get('type-confusion'))).toEqual([
      'acked',
      'closed 1005',
      'acked',
      'closed 1005',
    ]);
    expect(received(results.get('event-flood'))).toEqual(['100 of 100 acked']);
    // The logout answered 204 and left both sessions and the token alive.
    expect(received(results.get('logout'))).toEqual([
      'HTTP 204',
      'still connected',
      'still connected',
      'connected',
    ]);
  });
});

describe('against the portcullis preset', () => {
  it('passes every check, with the documented codes as evidence', async () => {
    const { server } = await presetServer();
    const report = await runProbe({ ...common, url: server.url });
    const results = byId(report);

    expect(report.results.filter((result) => result.status !== 'pass')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.passed).toBe(16);

    for (const id of ['foreign-origin', 'missing-origin', 'null-origin'] as const) {
      // Refused before the WebSocket opens, by the engine-level origin check.
      for (const item of results.get(id)?.evidence ?? []) {
        expect(item.received).toMatch(/^HTTP 40[03]/);
        expect(item.ms).toEqual(expect.any(Number));
      }
    }
    expect(received(results.get('per-message-deflate'))).toEqual(['no extension']);
    expect(received(results.get('polling-cors'))).toEqual([
      'HTTP 403, no CORS grant',
      'HTTP 403, no CORS grant',
    ]);
    expect(codes(results.get('no-token'))).toEqual(['AUTH_REQUIRED']);
    expect(codes(results.get('alg-none'))).toEqual(['AUTH_INVALID']);
    expect(codes(results.get('expired-token'))).toEqual(['AUTH_EXPIRED']);
    expect(codes(results.get('wrong-key'))).toEqual(['AUTH_INVALID']);
    expect(codes(results.get('oversized-payload'))).toEqual(['PAYLOAD_TOO_LARGE']);
    // The size guard refuses the placeholder and the binary; socket.io-parser closes on
    // the CVE packets.
    expect(codes(results.get('type-confusion'))).toEqual([
      'VALIDATION_FAILED',
      'closed 1005',
      'VALIDATION_FAILED',
      'closed 1005',
    ]);
    expect(codes(results.get('prototype-pollution'))).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ]);
    expect(codes(results.get('field-types'))).toEqual([
      'acked',
      ...Array<string>(14).fill('VALIDATION_FAILED'),
    ]);
    expect(codes(results.get('event-flood'))).toEqual(['RATE_LIMITED']);
    expect(received(results.get('event-flood'))[0]).toMatch(/^RATE_LIMITED at #\d+$/);
    expect(codes(results.get('logout'))).toEqual([
      'HTTP 204',
      'SESSION_REVOKED',
      'SESSION_REVOKED',
      'SESSION_REVOKED',
    ]);
  });

  it('says an honest client is refused, and judges nothing else, without a token', async () => {
    const { server } = await presetServer();
    const report = await runProbe({ url: server.url, origin: ORIGIN, only: ['auth'] });
    const [baseline, ...rest] = report.results;
    expect(baseline?.status).toBe('fail');
    expect(baseline?.summary).toMatch(/AUTH_REQUIRED/);
    expect(rest.map(({ status }) => status)).toEqual(Array(4).fill('not-applicable'));
    expect(report.ok).toBe(false);
  });
});
