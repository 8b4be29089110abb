import { startServer } from '@portcullis/testing';
import { runCli, type CliStreams, type ProbeReport } from '@portcullis/probe';
import { carefulServer } from './fixtures/careful-server';
import {
  EVENT,
  ORIGIN,
  PAYLOAD,
  REPLAY_EVENT,
  REPLAY_PAYLOAD,
  ROOM_FIELD,
  SANITIZED_EVENT,
  SANITIZED_PAYLOAD,
  SECRET,
} from './fixtures/constants';
import { unguardedServer } from './fixtures/unguarded-server';

function capture(env: NodeJS.ProcessEnv = {}): CliStreams & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

function argsFor(url: string): string[] {
  return [
    url,
    '--origin',
    ORIGIN,
    '--event',
    EVENT,
    '--payload',
    JSON.stringify(PAYLOAD),
    '--flood-count',
    '100',
    '--logout-url',
    '/logout',
  ];
}

describe('npx @portcullis/probe <url> [options]', () => {
  it('exits 0 with a JSON report for CI against a careful server that uses no Portcullis code names', async () => {
    const server = await carefulServer();
    const io = capture({ PORTCULLIS_PROBE_HS256_SECRET: SECRET });
    const code = await runCli(
      [
        ...argsFor(server.url),
        '--namespaces',
        '/admin',
        '--sanitized-event',
        SANITIZED_EVENT,
        '--sanitized-payload',
        JSON.stringify(SANITIZED_PAYLOAD),
        '--sanitized-fields',
        'bio',
        '--room-field',
        ROOM_FIELD,
        '--replay-event',
        REPLAY_EVENT,
        '--replay-payload',
        JSON.stringify(REPLAY_PAYLOAD),
        '--json',
      ],
      io,
    );
    expect(io.err).toEqual([]);
    const report = JSON.parse(io.out.join('\n')) as ProbeReport;
    expect(report.results.filter(({ status }) => status !== 'pass')).toEqual([]);
    expect(report.results).toHaveLength(21);
    expect(code).toBe(0);
    // The observed outcome next to each verdict.
    const noToken = report.results.find(({ id }) => id === 'no-token');
    expect(noToken?.evidence).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        received: "connect_error 'UNAUTHORIZED'",
        code: 'UNAUTHORIZED',
        verdict: 'pass',
      }),
    ]);
    const oversized = report.results.find(({ id }) => id === 'oversized-payload');
    expect(oversized?.evidence[0]).toMatchObject({ outcome: 'refused-ack', verdict: 'pass' });
  });

  it('exits 1 with a table for people when a check is seen to fail', async () => {
    const { server } = await unguardedServer();
    const io = capture();
    const code = await runCli(
      [...argsFor(server.url), '--hs256-secret', SECRET, '--only', 'origin,auth'],
      io,
    );
    expect(code).toBe(1);
    const table = io.out.join('\n');
    expect(table).toMatch(/^check +result +attempt +received +time$/m);
    expect(table).toMatch(
      /^foreign-origin +FAIL +Origin: https:\/\/portcullis-probe\.invalid +! connected/m,
    );
    expect(table).toMatch(/^FAIL {2}no-token: a handshake without a token connected$/m);
    expect(table).toMatch(/^1 passed, 8 failed, 0 no answer, 0 not applicable$/m);
  });

  it('exits 0 when a check got no answer: a timeout is not an observed failure', async () => {
    // Handshakes without a token are left hanging: neither accepted nor refused.
    const server = await startServer({
      setup(io) {
        io.use((socket, next) => {
          if (socket.handshake.auth.token !== undefined) next();
        });
      },
    });
    const io = capture();
    const code = await runCli(
      [server.url, '--hs256-secret', SECRET, '--only', 'no-token', '--timeout-ms', '300'],
      io,
    );
    const table = io.out.join('\n');
    expect(table).toMatch(/^no-token +no answer +no token +\? no answer \(timeout\)/m);
    expect(table).toMatch(/^1 passed, 0 failed, 1 no answer, 0 not applicable$/m);
    expect(code).toBe(0);
  });

  it('exits 2, saying what to fix, for bad options and refused hosts', async () => {
    const cases: [string[], RegExp][] = [
      [[], /give the URL of your Socket.io server/],
      [['http://127.0.0.1:1', '--flood-count', 'many'], /--flood-count must be a whole number/],
      [['http://127.0.0.1:1', '--payload', '{oops'], /--payload must be JSON/],
      [['http://127.0.0.1:1', '--only', 'origins'], /unknown check "origins"/],
      [['http://127.0.0.1:1', '--bogus'], /Unknown option '--bogus'/],
      [['http://127.0.0.1:1', '--hs256-secret', 'short'], /at least 32 bytes/],
      [['http://127.0.0.1:1', '--namespaces', 'admin'], /must be a namespace such as \/admin/],
      [['http://127.0.0.1:1', '--markup-bytes', '100'], /markupBytes must be a whole number/],
      [['http://127.0.0.1:1', '--sanitized-fields', 'bio'], /need an event/],
      [['http://198.51.100.1:3000'], /--i-own-this-host/],
    ];
    for (const [args, message] of cases) {
      const io = capture();
      expect(await runCli(args, io)).toBe(2);
      expect(io.err.join('\n')).toMatch(message);
    }
  });

  it('prints the usage with --help', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out.join('\n')).toMatch(/^Usage: npx @portcullis\/probe <url> \[options\]/);
  });
});
