import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProbeContext } from '../context';
import { clip, isPortcullisCode, type CheckOutcome } from '../judge';
import type { Evidence, Outcome } from '../report';
import { ackRefusal, eventRefusal, isErrorEventName } from '../wire/ack-shape';
import { eventFrame } from '../wire/packets';
import { messagePrecondition } from './payload-control';
import { argumentsJson } from './payloads';

const BURST = 10;
/** Past this many unsent bytes the flood waits for the wire instead of queueing more. */
const MAX_BUFFERED = 1024 * 1024;

interface Refusal {
  readonly code: string | undefined;
  readonly ms: number;
  /** Which message (1-based) was refused, when the ack says so. */
  readonly index: number | undefined;
  readonly outcome: Outcome;
  /** Where it came: `ack error`, `'chat:error' event`, `disconnect event`. */
  readonly via: string;
}

function refusalReceived(refusal: Refusal): string {
  const at = refusal.index === undefined ? '' : ` at #${refusal.index}`;
  if (isPortcullisCode(refusal.code)) return `${refusal.code}${at}`;
  const code = refusal.code === undefined ? '' : ` '${clip(refusal.code)}'`;
  return `${refusal.via}${code}${at}`;
}

/**
 * Sends the example payload on one event as fast as the connection takes it, up to
 * `floodCount` messages or `floodSeconds`, and stops at the first refusal. A server
 * without a message rate limit hands every one of them to the handler. The payload
 * as given was acked first, so any refusal here is a refusal of the volume.
 */
export async function eventFloodCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const unmet = await messagePrecondition(ctx);
  if (unmet !== undefined) return unmet;
  const { payload, floodCount, floodMs, timeoutMs, namespace, errorEvent, disconnectEvent } =
    ctx.options;
  const event = ctx.options.event as string;
  const socket = await ctx.honestSocket();
  const args = argumentsJson(event, JSON.stringify(payload));
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let firstId: number | undefined;
  let sent = 0;
  let acked = 0;
  let refusal: Refusal | undefined;
  let closed: { ms: number; code: number | undefined } | undefined;

  const onAck = (id: number, answer: unknown[]): void => {
    const refused = ackRefusal(answer);
    if (refused === undefined) acked += 1;
    else {
      const index = id - (firstId ?? id) + 1;
      refusal ??= {
        code: refused.code,
        ms: elapsed(),
        index,
        outcome: 'refused-ack',
        via: 'ack error',
      };
    }
  };
  const onEvent = (name: string, answer: unknown[]): void => {
    if (name === disconnectEvent || isErrorEventName(name, errorEvent)) {
      refusal ??= {
        code: eventRefusal(answer).code,
        ms: elapsed(),
        index: undefined,
        outcome: name === disconnectEvent ? 'disconnected' : 'refused',
        via: `'${clip(name, 24)}' event`,
      };
    }
  };
  const onClose = (code: number | undefined): void => {
    closed ??= { ms: elapsed(), code };
  };
  socket.on('ack', onAck);
  socket.on('event', onEvent);
  socket.on('close', onClose);
  const stopped = (): boolean => refusal !== undefined || closed !== undefined;
  try {
    while (sent < floodCount && !stopped() && elapsed() < floodMs) {
      const burst = Math.min(BURST, floodCount - sent);
      for (let i = 0; i < burst; i++) {
        const id = socket.nextAckId();
        firstId ??= id;
        socket.send(eventFrame(namespace, id, args));
        sent += 1;
      }
      // Let the answers in between bursts, so the flood stops soon after a refusal.
      await new Promise((resolve) => setImmediate(resolve));
      while (socket.bufferedAmount > MAX_BUFFERED && !stopped() && elapsed() < floodMs) {
        await delay(5);
      }
    }
    const deadline = performance.now() + timeoutMs;
    while (!stopped() && acked < sent && performance.now() < deadline) await delay(10);
  } finally {
    socket.off('ack', onAck);
    socket.off('event', onEvent);
    socket.off('close', onClose);
    socket.close();
  }
  return verdict(`up to ${floodCount} "${event}" messages in ${floodMs / 1000} s`, {
    sent,
    acked,
    refusal,
    closed,
    ms: elapsed(),
    timeoutMs,
  });
}

interface FloodRun {
  readonly sent: number;
  readonly acked: number;
  readonly refusal: Refusal | undefined;
  readonly closed: { ms: number; code: number | undefined } | undefined;
  readonly ms: number;
  readonly timeoutMs: number;
}

function verdict(attempt: string, run: FloodRun): CheckOutcome {
  const { sent, acked, refusal, closed } = run;
  if (refusal !== undefined) {
    const where =
      refusal.index === undefined
        ? `after ${sent} sent`
        : `message ${refusal.index} of ${sent} sent`;
    const evidence: Evidence = {
      attempt,
      received: refusalReceived(refusal),
      outcome: refusal.outcome,
      ...(refusal.code === undefined ? {} : { code: refusal.code }),
      ms: refusal.ms,
      verdict: 'pass',
      note: `${where}, ${acked} acked`,
    };
    return {
      status: 'pass',
      summary: `the flood was refused (${evidence.received}, ${evidence.note})`,
      evidence: [evidence],
    };
  }
  if (closed !== undefined) {
    const received = closed.code === undefined ? 'disconnected' : `closed ${closed.code}`;
    return {
      status: 'pass',
      summary: `the flood was cut (${received} after ${sent} sent, ${acked} acked)`,
      evidence: [
        {
          attempt,
          received,
          outcome: 'disconnected',
          ms: closed.ms,
          verdict: 'pass',
          note: `after ${sent} sent, ${acked} acked`,
        },
      ],
    };
  }
  const received = `${acked} of ${sent} acked`;
  if (acked === sent) {
    return {
      status: 'fail',
      summary: `${sent} messages in ${run.ms} ms were all acked`,
      evidence: [{ attempt, received, outcome: 'acked', ms: run.ms, verdict: 'fail' }],
    };
  }
  const note = `${sent - acked} neither acked nor refused within ${run.timeoutMs} ms`;
  return {
    status: 'no-answer',
    summary: `no answer: ${received}, ${note}`,
    evidence: [{ attempt, received, outcome: 'timeout', ms: run.ms, verdict: 'no-answer', note }],
  };
}
