import { setTimeout as delay } from 'node:timers/promises';
import type { ProbeContext } from '../context';
import type { Answer } from '../wire/await-answer';
import { latencyWhile } from '../wire/honest-latency';
import type { ProbeSocket } from '../wire/probe-socket';
import { exchange } from './packet-attempt';

/** Lets the server finish what a trial left (writing a large echo) before the next. */
const PAUSE_MS = 20;

export interface Trial {
  readonly answer: Answer;
  /** The other client's round trips while the message was handled; `undefined`: a ping was lost. */
  readonly pings: readonly number[] | undefined;
}

/**
 * Sends one message on `attacker` and, meanwhile, pings the server through `honest`
 * until the message is answered: what the attacker got, and what another client saw.
 */
export async function runTrial(
  ctx: ProbeContext,
  attacker: ProbeSocket,
  honest: ProbeSocket,
  frame: (ackId: number) => string,
): Promise<Trial> {
  let answered = false;
  const answer = exchange(ctx, attacker, (ackId) => [frame(ackId)]).then((result) => {
    answered = true;
    return result;
  });
  const pings = await latencyWhile(honest, () => answered, ctx.options.timeoutMs);
  const result = { answer: await answer, pings };
  await delay(PAUSE_MS);
  return result;
}

/** How much longer than usual the slowest ping of a trial took (never below 0). */
export function extraWait(trial: Trial, usual: number): number | undefined {
  if (trial.pings === undefined || trial.pings.length === 0) return undefined;
  return Math.max(0, Math.round(Math.max(...trial.pings) - usual));
}
