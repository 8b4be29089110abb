import {
  answerLimit,
  combineBackoff,
  retryWhileLimited,
  withBackoffNote,
  type BackoffRecord,
} from '../backoff';
import type { ProbeContext } from '../context';
import { judgePacket, notApplicable, outcomeOf, refusalPhrase, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { median, usualLatency } from '../wire/honest-latency';
import type { ProbeSocket } from '../wire/probe-socket';
import { NEEDS_SANITIZED } from './markup-in-array';
import { markupShapes, type MarkupShape } from './markup-payloads';
import { controlNotAccepted, sendControl } from './payload-control';
import { extraWait, runTrial, type Trial } from './markup-trial';

/** Bomb trials per shape: the verdict takes the smallest delay, so one noisy trial cannot fail it. */
const TRIALS = 3;

interface Sockets {
  attacker: ProbeSocket;
  readonly honest: ProbeSocket;
}

/** The attacker's socket, reopened when the server cut it (or said it would). */
async function attackerOf(ctx: ProbeContext, sockets: Sockets): Promise<ProbeSocket> {
  if (!ctx.usable(sockets.attacker)) {
    sockets.attacker.close();
    sockets.attacker = await ctx.honestSocket();
  }
  return sockets.attacker;
}

/**
 * One trial; when a rate limit refuses its message, the wait the server asked for and
 * the whole trial again (within the back-off's bounds), so that the other client's
 * pings measure the message being handled, not the wait.
 */
async function limitedTrial(
  ctx: ProbeContext,
  sockets: Sockets,
  frame: (ackId: number) => string,
  waits: BackoffRecord[],
): Promise<Trial> {
  const { result, backoff } = await retryWhileLimited(
    ctx.backoff,
    async () => runTrial(ctx, await attackerOf(ctx, sockets), sockets.honest, frame),
    (trial) => answerLimit(trial.answer),
  );
  waits.push(backoff);
  return result;
}

const LOST_PING: Omit<Evidence, 'attempt'> = {
  received: 'latency ping lost',
  outcome: 'timeout',
  verdict: 'no-answer',
  note: `the other client's ping got no answer`,
};

/**
 * One shape: a control of the same size (for context), then up to three bombs; the
 * row notes any wait for a rate limit between them.
 */
async function bombShape(
  ctx: ProbeContext,
  sockets: Sockets,
  shape: MarkupShape,
  usual: number,
): Promise<Evidence> {
  const backoffs: BackoffRecord[] = [];
  const row = await bombRow(ctx, sockets, shape, usual, backoffs);
  return withBackoffNote(row, combineBackoff(backoffs));
}

async function bombRow(
  ctx: ProbeContext,
  sockets: Sockets,
  shape: MarkupShape,
  usual: number,
  backoffs: BackoffRecord[],
): Promise<Evidence> {
  const { timeoutMs, markupDelayMs } = ctx.options;
  const control = await limitedTrial(ctx, sockets, shape.control, backoffs);
  const controlWait = extraWait(control, usual);
  const waits: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const trial = await limitedTrial(ctx, sockets, shape.bomb, backoffs);
    if (trial.answer.kind !== 'acked') {
      const row = judgePacket(shape.label, trial.answer, timeoutMs);
      const plainToo =
        control.answer.kind !== 'acked' && row.verdict === 'pass'
          ? { note: 'refused the same size without markup too' }
          : {};
      return { ...row, ...plainToo };
    }
    const wait = extraWait(trial, usual);
    if (wait === undefined) return { attempt: shape.label, ...LOST_PING };
    waits.push(wait);
    times.push(trial.answer.ms);
  }
  const waited = Math.min(...waits);
  return {
    attempt: shape.label,
    received: `acked, others +${waited} ms`,
    outcome: 'acked',
    ms: Math.round(median(times)),
    verdict: waited > markupDelayMs ? 'fail' : 'pass',
    note: `other clients waited ${waits.map((ms) => `+${ms}`).join(', ')} ms over ${TRIALS} messages (least counts; threshold ${markupDelayMs} ms); same size without markup: ${controlWait === undefined ? 'ping lost' : `+${controlWait} ms`}`,
  };
}

/**
 * A message just under the size limit whose sanitized field is full of markup: one
 * string of `<b>` tags, and thousands of `"<b>"` strings. A sanitizer that parses it
 * on the event loop holds every other client meanwhile. While the bomb is handled, a
 * second (honest) connection pings the server, through a CONNECT to a namespace that
 * does not exist, which Socket.io answers itself before any guard or handler: its
 * delay is what any other client waits. Refused passes; accepted fails when the other
 * client waited more than `markupDelayMs` longer than usual in each of three tries.
 */
export async function markupBombCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const target = ctx.options.sanitized;
  if (target === undefined) return notApplicable(NEEDS_SANITIZED);
  const field = target.fields[0] as readonly string[];
  const shapes = markupShapes(target, ctx.options.namespace, field, ctx.options.markupBytes);
  if (shapes.length === 0) {
    return notApplicable('the sanitized payload alone is larger than --markup-bytes');
  }
  const sockets: Sockets = {
    attacker: await ctx.honestSocket(),
    honest: await ctx.sharedSocket(),
  };
  try {
    const control = await sendControl(
      ctx,
      () => attackerOf(ctx, sockets),
      target.event,
      target.payload,
    );
    if (control.verdict !== 'pass') {
      return controlNotAccepted(control, target.event, '--sanitized-payload');
    }
    const usual = await usualLatency(sockets.honest, ctx.options.timeoutMs);
    if (usual === undefined) {
      const lost: Evidence = { attempt: 'latency before the bombs', ...LOST_PING };
      return { status: 'no-answer', summary: `no answer: ${LOST_PING.note}`, evidence: [lost] };
    }
    const evidence: Evidence[] = [];
    for (const shape of shapes) evidence.push(await bombShape(ctx, sockets, shape, usual));
    return outcomeOf(evidence, {
      pass: (items) =>
        `markup bombs were refused or answered without holding other clients (${items
          .map((item) => (item.outcome === 'acked' ? item.received : refusalPhrase(item)))
          .join('; ')})`,
      fail: (miss) =>
        `while a message of ${miss.attempt} was handled, another client's answers came ${/\+(\d+) ms/.exec(miss.received)?.[1] ?? '?'} ms later than usual (the least of ${TRIALS} tries; threshold ${ctx.options.markupDelayMs} ms)`,
    });
  } finally {
    sockets.attacker.close();
  }
}
