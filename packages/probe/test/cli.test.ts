import { runCli, type CliStreams, type ProbeReport } from '@portcullis/probe';
import { EVENT, ORIGIN, PAYLOAD, SECRET, presetServer, unguardedServer } from './servers';

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
  it('exits 0 with a JSON report for CI when every check passes (the key from the environment)', async () => {
    const { server } = await presetServer();
    const io = capture({ PORTCULLIS_PROBE_HS256_SECRET: SECRET });
    const code = await runCli([...argsFor(server.url), '--json'], io);
    expect(io.err).toEqual([]);
    const report = JSON.parse(io.out.join('\n')) as ProbeReport;
    expect(report.results.filter(({ status }) => status !== 'pass')).toEqual([]);
    expect(code).toBe(0);
  });

  it('exits 1 with a table for people when a check fails', async () => {
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
    expect(table).toMatch(/^FAIL {2}no-token: a handshake without a token gets connected/m);
    expect(table).toMatch(/^1 passed, 7 failed, 0 not applicable$/m);
  });

  it('exits 2, saying what to fix, for bad options and refused hosts', async () => {
    const cases: [string[], RegExp][] = [
      [[], /give the URL of your Socket.io server/],
      [['http://127.0.0.1:1', '--flood-count', 'many'], /--flood-count must be a whole number/],
      [['http://127.0.0.1:1', '--payload', '{oops'], /--payload must be JSON/],
      [['http://127.0.0.1:1', '--only', 'origins'], /unknown check "origins"/],
      [['http://127.0.0.1:1', '--bogus'], /Unknown option '--bogus'/],
      [['http://127.0.0.1:1', '--hs256-secret', 'short'], /at least 32 bytes/],
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
