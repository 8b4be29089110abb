import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHECK_IDS,
  runProbe,
  type CheckId,
  type CheckResult,
  type CheckStatus,
  type ProbeOptions,
  type ProbeReport,
} from '@portcullis/probe';
import { carefulServer } from './fixtures/careful-server';
import {
  EVENT,
  ORIGIN,
  PAYLOAD,
  REPLAY_EVENT,
  REPLAY_PAYLOAD,
  ROOM_FIELD,
  SANITIZED_EVENT,
  SANITIZED_FIELD,
  SANITIZED_PAYLOAD,
  SECRET,
} from './fixtures/constants';
import { PRESET_ROOMS, presetServer } from './fixtures/preset-server';
import { unguardedServer } from './fixtures/unguarded-server';

/** The same run against each fixture: only the server differs. */
export const FIXTURE_RUN: Omit<ProbeOptions, 'url'> = {
  origin: ORIGIN,
  hs256Secret: SECRET,
  event: EVENT,
  payload: PAYLOAD,
  roomField: ROOM_FIELD,
  replayEvent: REPLAY_EVENT,
  replayPayload: REPLAY_PAYLOAD,
  sanitizedEvent: SANITIZED_EVENT,
  sanitizedPayload: SANITIZED_PAYLOAD,
  sanitizedFields: [SANITIZED_FIELD],
  floodCount: 100,
  timeoutMs: 2000,
  logoutUrl: '/logout',
};

/**
 * The verdict of every check on each fixture: an unguarded server (every check that
 * applies fails), a careful server written by hand without Portcullis, with its own
 * error names (no false alarm), and the `portcullis` preset. The README's fixture
 * table shows the same.
 */
const VERDICTS: Readonly<Record<CheckId, readonly [CheckStatus, CheckStatus, CheckStatus]>> = {
  //                      unguarded  careful  preset
  baseline: ['pass', 'pass', 'pass'],
  'foreign-origin': ['fail', 'pass', 'pass'],
  'missing-origin': ['fail', 'pass', 'pass'],
  'null-origin': ['fail', 'pass', 'pass'],
  'per-message-deflate': ['fail', 'pass', 'pass'],
  'polling-cors': ['fail', 'pass', 'pass'],
  'no-token': ['fail', 'pass', 'pass'],
  'alg-none': ['fail', 'pass', 'pass'],
  'expired-token': ['fail', 'pass', 'pass'],
  'wrong-key': ['fail', 'pass', 'pass'],
  'unguarded-namespace': ['fail', 'pass', 'pass'],
  'oversized-payload': ['fail', 'pass', 'pass'],
  'prototype-pollution': ['fail', 'pass', 'pass'],
  'markup-in-array': ['fail', 'pass', 'pass'],
  'field-types': ['fail', 'pass', 'pass'],
  'foreign-room': ['fail', 'pass', 'pass'],
  replay: ['fail', 'pass', 'pass'],
  // Nothing on the unguarded server parses markup, so a bomb of it costs nothing there.
  'markup-bomb': ['pass', 'pass', 'pass'],
  'type-confusion': ['fail', 'pass', 'pass'],
  'event-flood': ['fail', 'pass', 'pass'],
  logout: ['fail', 'pass', 'pass'],
};

function verdicts(report: ProbeReport, column: 0 | 1 | 2): [CheckId, CheckStatus, CheckStatus][] {
  return report.results.map(({ id, status }) => [id, status, VERDICTS[id][column]]);
}

function byId(report: ProbeReport): Map<CheckId, CheckResult> {
  return new Map(report.results.map((result) => [result.id, result]));
}

/** Each attempt of a check as `outcome: received`. */
function observed(result: CheckResult | undefined): string[] {
  return (result?.evidence ?? []).map((item) => `${item.outcome ?? '-'}: ${item.received}`);
}

const FULL_RUN_MS = 60_000;

describe('the fixture table: every check on three servers', () => {
  it('covers every check', () => {
    expect(Object.keys(VERDICTS)).toEqual([...CHECK_IDS]);
  });

  it(
    'unguarded server: every check that applies fails, each for what was seen',
    async () => {
      const { server } = await unguardedServer();
      const report = await runProbe({ ...FIXTURE_RUN, url: server.url });
      const rows = verdicts(report, 0);
      expect(rows.map(([id, status]) => [id, status])).toEqual(
        rows.map(([id, , expected]) => [id, expected]),
      );
      expect(report.ok).toBe(false);
      expect(report.failed).toBe(19);
      const results = byId(report);
      expect(results.get('no-token')?.summary).toBe('a handshake without a token connected');
      expect(observed(results.get('unguarded-namespace'))).toEqual([
        'connected: connected',
        'acked: acked',
        "refused: connect_error 'Invalid namespace'",
      ]);
      expect(observed(results.get('markup-in-array'))).toEqual([
        'acked: acked',
        'acked: acked, echoed intact',
        'acked: acked, echoed intact',
        'acked: acked, echoed intact',
      ]);
      // Written into another client's own room, and delivered to it.
      expect(observed(results.get('foreign-room'))).toEqual(['acked: acked', 'acked: acked']);
      expect(results.get('foreign-room')?.evidence[1]?.note).toBe('the other client received it');
      expect(observed(results.get('replay'))).toEqual([
        'acked: acked',
        'acked: acked',
        'acked: acked',
      ]);
      expect(observed(results.get('markup-bomb')).map((row) => row.split(',')[0])).toEqual([
        'acked: acked',
        'acked: acked',
      ]);
    },
    FULL_RUN_MS,
  );

  it(
    'careful hand-written server with its own error names: every check passes, no false alarm',
    async () => {
      const server = await carefulServer();
      const report = await runProbe({ ...FIXTURE_RUN, url: server.url });
      const rows = verdicts(report, 1);
      expect(rows.map(([id, status]) => [id, status])).toEqual(
        rows.map(([id, , expected]) => [id, expected]),
      );
      expect(report.ok).toBe(true);
      const results = byId(report);
      // Refusals reported in the server's own words.
      for (const id of ['no-token', 'alg-none', 'expired-token', 'wrong-key'] as const) {
        expect(observed(results.get(id))).toEqual(["refused: connect_error 'UNAUTHORIZED'"]);
      }
      expect(results.get('no-token')?.summary).toBe(
        "a handshake without a token was refused: connect_error 'UNAUTHORIZED'",
      );
      expect(observed(results.get('foreign-origin'))).toEqual([
        'refused: HTTP 400',
        'refused: HTTP 400',
      ]);
      expect(observed(results.get('oversized-payload'))).toEqual([
        "refused-ack: ack error 'MESSAGE_TOO_LARGE'",
      ]);
      expect(results.get('oversized-payload')?.evidence[0]?.code).toBe('MESSAGE_TOO_LARGE');
      expect(observed(results.get('field-types')).slice(1)).toEqual(
        Array<string>(14).fill("refused-ack: ack error 'VALIDATION_ERROR'"),
      );
      expect(observed(results.get('type-confusion'))).toEqual([
        "refused-ack: ack error 'VALIDATION_ERROR'",
        'disconnected: closed 1005',
        "refused-ack: ack error 'VALIDATION_ERROR'",
        'disconnected: closed 1005',
      ]);
      expect(observed(results.get('unguarded-namespace'))).toEqual([
        "refused: connect_error 'UNAUTHORIZED'",
        "refused: connect_error 'Invalid namespace'",
      ]);
      expect(observed(results.get('markup-in-array'))).toEqual([
        'acked: acked',
        'acked: acked, echoed cleaned',
        "refused-ack: ack error 'VALIDATION_ERROR'",
        "refused-ack: ack error 'VALIDATION_ERROR'",
      ]);
      expect(observed(results.get('foreign-room'))).toEqual(
        Array<string>(2).fill("refused-ack: ack error 'NOT_IN_ROOM'"),
      );
      expect(observed(results.get('replay'))).toEqual([
        'acked: acked',
        "refused-ack: ack error 'ALREADY_COUNTED'",
        "refused-ack: ack error 'ALREADY_COUNTED'",
      ]);
      expect(observed(results.get('event-flood'))[0]).toMatch(
        /^refused-ack: ack error 'SLOW_DOWN' at #\d+$/,
      );
      expect(observed(results.get('logout'))).toEqual([
        '-: HTTP 204',
        'disconnected: disconnected',
        'disconnected: disconnected',
        "refused: connect_error 'UNAUTHORIZED'",
      ]);
    },
    FULL_RUN_MS,
  );

  it(
    'the portcullis preset: every check passes, with the Portcullis codes as evidence',
    async () => {
      const { server } = await presetServer({ rooms: PRESET_ROOMS });
      const report = await runProbe({ ...FIXTURE_RUN, url: server.url });
      const rows = verdicts(report, 2);
      expect(rows.map(([id, status]) => [id, status])).toEqual(
        rows.map(([id, , expected]) => [id, expected]),
      );
      expect(report.ok).toBe(true);
      const results = byId(report);
      const codes = (id: CheckId): (string | undefined)[] =>
        (results.get(id)?.evidence ?? []).map((item) => item.code);
      expect(codes('no-token')).toEqual(['AUTH_REQUIRED']);
      expect(codes('alg-none')).toEqual(['AUTH_INVALID']);
      expect(codes('expired-token')).toEqual(['AUTH_EXPIRED']);
      expect(results.get('alg-none')?.summary).toBe(
        'an unsigned (alg: none) token was refused with AUTH_INVALID',
      );
      expect(codes('oversized-payload')).toEqual(['PAYLOAD_TOO_LARGE']);
      expect(codes('prototype-pollution')).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
      expect(codes('foreign-room')).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(codes('replay')).toEqual([undefined, 'REPLAYED', 'REPLAYED']);
      expect(codes('logout')).toEqual([
        undefined,
        'SESSION_REVOKED',
        'SESSION_REVOKED',
        'SESSION_REVOKED',
      ]);
    },
    FULL_RUN_MS,
  );

  it('the careful server uses no Portcullis package', () => {
    const dir = join(__dirname, 'fixtures', 'careful');
    const imports = readdirSync(dir).flatMap((file) =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map(
        (match) => match[1],
      ),
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((name) => /portcullis/.test(name ?? ''))).toEqual([]);
  });
});
