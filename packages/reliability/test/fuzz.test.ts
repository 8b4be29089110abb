import { GUARD_ERROR_CODES } from 'portcullis';
import { fuzzServer, serverTrouble } from '../src/fuzz/fuzz-run';
import { HonestClient } from '../src/honest-client';
import { decodeMessage } from '../src/wire/decode';
import { refusalsIn } from '../src/wire/refusals';
import { expectHealthy, presetProcess, report, statsUntil } from './helpers';

// CI size: bounded by count and by time (the generator stops at whichever comes first).
const NUM_RUNS = 600;
const TIME_LIMIT_MS = 15_000;
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

describe('wire fuzzing against the whole preset (raw Engine.IO v4 / Socket.IO v5 frames)', () => {
  it('stays up, serves an honest client throughout, and refuses only with documented codes', async () => {
    const server = await presetProcess();
    const honest = await HonestClient.connect(server.url);
    honest.start(100);
    const run = await fuzzServer(server, {
      numRuns: NUM_RUNS,
      timeLimitMs: TIME_LIMIT_MS,
      // In-memory stores cannot fail: INTERNAL here would mean a guard threw on the input.
      forbiddenCodes: ['INTERNAL'],
      ...(seed === undefined ? {} : { seed }),
    });
    await honest.stop();
    const after = await server.stats();
    report('fuzz', {
      seed: run.seed,
      cases: run.cases,
      seconds: run.durationMs / 1000,
      handshakes: run.handshakes,
      codes: run.codes,
      closes: run.closes,
      honestAcks: honest.acks,
      maxRssMB: Math.round(after.maxRssBytes / 2 ** 20),
    });
    if (run.failed) throw new Error(run.message);
    expect(run.cases).toBeGreaterThanOrEqual(100);

    // The cases reached the guards: refusals of each kind were seen.
    const seen = Object.keys(run.codes).map((key) => key.slice(key.indexOf(':') + 1));
    for (const code of ['AUTH_REQUIRED', 'PAYLOAD_TOO_LARGE', 'VALIDATION_FAILED']) {
      expect(seen).toContain(code);
    }
    expect(run.handshakes.connected).toBeGreaterThan(run.cases / 3);

    // The honest client was answered every time and never cut.
    expect(honest.failures).toEqual([]);
    expect(honest.disconnects).toEqual([]);
    expect(honest.acks).toBeGreaterThan(20);
    expect(await honest.send('after the run')).toBe(true);

    // Nothing the fuzzer opened is left: one connection, the honest one.
    const settled = await statsUntil(
      server,
      (stats) => stats.engineClients === 1 && stats.connectionLimit?.pending === 0,
    );
    expect(settled).toMatchObject({ engineClients: 1, sockets: 1, httpConnections: 1 });
    expect(settled.connectionLimit).toMatchObject({ connections: 1, pending: 0, users: 1 });
    honest.close();
    expectHealthy(server);
  }, 40_000);

  it('tells a documented refusal from anything else', () => {
    const refusals = (frame: string) =>
      refusalsIn(
        decodeMessage(frame) ?? {
          type: -1,
          nsp: '/',
          id: undefined,
          attachments: 0,
          data: undefined,
        },
      );
    expect(refusals('44{"message":"x","data":{"code":"RATE_LIMITED"}}')).toEqual([
      { channel: 'connect_error', code: 'RATE_LIMITED', documented: true },
    ]);
    expect(refusals('44/bogus,{"message":"Invalid namespace"}')[0]?.documented).toBe(true);
    expect(refusals('44{"message":"Internal error"}')[0]?.documented).toBe(false);
    expect(refusals('4312[{"error":{"code":"TEAPOT"}}]')[0]).toMatchObject({
      channel: 'ack',
      documented: false,
    });
    expect(refusals('4312[{"error":"boom"}]')[0]?.documented).toBe(false);
    expect(refusals('42["portcullis:error",{"code":"VALIDATION_FAILED"}]')[0]?.documented).toBe(
      true,
    );
    expect(refusals('42["portcullis:disconnect",{"code":"GONE"}]')[0]?.documented).toBe(false);
    expect(refusals('431[{"ok":true}]')).toEqual([]);
    for (const code of GUARD_ERROR_CODES) {
      expect(refusals(`431[{"error":{"code":"${code}"}}]`)[0]?.documented).toBe(true);
    }
  });

  it('notices a server process that died', async () => {
    const server = await presetProcess();
    expect(serverTrouble(server)).toBeUndefined();
    process.kill(server.pid, 'SIGKILL');
    await server.exited();
    expect(serverTrouble(server)).toMatch(/server process ended \(SIGKILL\)/);
  });
});
