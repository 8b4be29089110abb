import fc from 'fast-check';
import type { ServerProcess } from '../server-process';
import { fuzzCase } from './arbitraries';
import { runCase, type CaseOutcome } from './run-case';

export interface FuzzRunOptions {
  /** Most cases to play. */
  numRuns: number;
  /** Stop generating after this long (the cases run so far still count). */
  timeLimitMs: number;
  /** fast-check seed, to replay a run. Random by default. */
  seed?: number;
  /** Case numbers start here (they pick the client address and user). */
  firstIndex?: number;
  /**
   * Documented codes that still fail a case. With in-memory stores nothing can fail but a
   * guard itself, so `INTERNAL` there means a guard threw on the input.
   */
  forbiddenCodes?: readonly string[];
}

/** Figures of a run, and fast-check's verdict. */
export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly interrupted: boolean;
  readonly failed: boolean;
  /** fast-check's report: the counterexample, the seed and path to replay it. */
  readonly message: string | undefined;
  /** How many cases ended in each handshake outcome, refusal code, and close. */
  readonly handshakes: Record<string, number>;
  readonly codes: Record<string, number>;
  readonly closes: Record<string, number>;
  readonly durationMs: number;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Why the server is unwell, or `undefined`: it ended, or reported a fatal error. */
export function serverTrouble(server: ServerProcess): string | undefined {
  const exit = server.exit();
  if (exit !== undefined)
    return `server process ended (${exit.code ?? exit.signal}): ${server.stderr()}`;
  const fatal = server.fatal[0];
  if (fatal !== undefined)
    return `server reported ${fatal.origin}: ${fatal.stack ?? fatal.message}`;
  return undefined;
}

/**
 * Plays generated cases against a running server, one after another. A case fails when
 * the client sees a refusal with an undocumented code, or when the server process ended
 * or reported an uncaught exception or unhandled rejection.
 */
export async function fuzzServer(
  server: ServerProcess,
  options: FuzzRunOptions,
): Promise<FuzzReport> {
  const started = Date.now();
  const handshakes: Record<string, number> = {};
  const codes: Record<string, number> = {};
  const closes: Record<string, number> = {};
  let index = options.firstIndex ?? 0;
  let cases = 0;
  const property = fc.asyncProperty(fuzzCase, async (generated) => {
    const outcome: CaseOutcome = await runCase(server.url, generated, { index: index++ });
    cases += 1;
    bump(handshakes, outcome.handshake);
    for (const refusal of outcome.refusals) bump(codes, `${refusal.channel}:${refusal.code}`);
    bump(closes, outcome.closedBy ?? 'client');
    const forbidden = outcome.refusals.filter((refusal) =>
      options.forbiddenCodes?.includes(refusal.code),
    );
    if (forbidden.length > 0) {
      throw new Error(
        `forbidden refusal ${JSON.stringify(forbidden)}; frames ${JSON.stringify(outcome.frames).slice(0, 2000)}`,
      );
    }
    if (outcome.undocumented.length > 0) {
      throw new Error(
        `undocumented refusal ${JSON.stringify(outcome.undocumented)}; frames ${JSON.stringify(outcome.frames).slice(0, 2000)}`,
      );
    }
    const trouble = serverTrouble(server);
    if (trouble !== undefined) throw new Error(trouble);
  });
  const details = await fc.check(property, {
    numRuns: options.numRuns,
    interruptAfterTimeLimit: options.timeLimitMs,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  return {
    seed: details.seed,
    cases,
    interrupted: details.interrupted,
    failed: details.failed,
    message: details.failed ? fc.defaultReportMessage(details) : undefined,
    handshakes,
    codes,
    closes,
    durationMs: Date.now() - started,
  };
}
