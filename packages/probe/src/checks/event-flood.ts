import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProbeContext } from '../context';
import { notApplicable, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { ackError, refusalCode } from '../wire/await-answer';
import { eventFrame } from '../wire/packets';
import { argumentsJson } from './payloads';

const BURST = 10;
/** Past this many unsent bytes the flood waits for the wire instead of queueing more. */
const MAX_BUFFERED = 1024 * 1024;

interface Refusal {
  readonly code: string | undefined;
  readonly ms: number;
  /** Which message (1-based) was refused, when the ack says so. */
  readonly index: number | undefined;
}

/**
 * Sends the example payload on one event as fast as the connection takes it, up to
 * `floodCount` messages or `floodSeconds`, and stops at the first refusal. A server
 * without a message rate limit hands every one of them to the handler.
 */
export async function eventFloodCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { event, payload, floodCount, floodMs, timeoutMs, namespace, errorEvent, disconnectEvent } =
    ctx.options;
  if (event === undefined) {
    return notApplicable('needs --event: an event your server handles (with an ack, ideally)');
  }
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
    const error = ackError(answer);
    if (error === undefined) acked += 1;
    else refusal ??= { code: error.code, ms: elapsed(), index: id - (firstId ?? id) + 1 };
  };
  const onEvent = (name: string, answer: unknown[]): void => {
    if (name === errorEvent || name === disconnectEvent) {
      refusal ??= { code: refusalCode(answer[0]), ms: elapsed(), index: undefined };
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

  const attempt = `up to ${floodCount} "${event}" messages in ${floodMs / 1000} s`;
  let evidence: Evidence;
  if (refusal !== undefined) {
    const where =
      refusal.index === undefined
        ? `after ${sent} sent`
        : `message ${refusal.index} of ${sent} sent`;
    const ok = refusal.code === undefined || refusal.code === 'RATE_LIMITED';
    evidence = {
      attempt,
      received: `${refusal.code ?? 'refused (no code)'}${refusal.index === undefined ? '' : ` at #${refusal.index}`}`,
      ...(refusal.code === undefined ? {} : { code: refusal.code }),
      ms: refusal.ms,
      ok,
      note: ok
        ? `${where}, ${acked} acked`
        : `${where}: refused, but not for the rate (expected RATE_LIMITED); is --payload valid?`,
    };
  } else if (closed !== undefined) {
    evidence = {
      attempt,
      received: closed.code === undefined ? 'disconnected' : `closed ${closed.code}`,
      ms: closed.ms,
      ok: true,
      note: `after ${sent} sent, ${acked} acked`,
    };
  } else {
    evidence = {
      attempt,
      received: `${acked} of ${sent} acked`,
      ms: elapsed(),
      ok: false,
      note: 'none refused',
    };
  }
  if (evidence.ok) {
    return { status: 'pass', summary: `the flood is cut (${evidence.note})`, evidence: [evidence] };
  }
  return {
    status: 'fail',
    summary:
      refusal === undefined
        ? `${sent} messages in ${evidence.ms} ms, none refused: one client can keep the handler busy`
        : `the flood was refused with ${evidence.received}, not RATE_LIMITED: send a payload the server accepts (--payload)`,
    evidence: [evidence],
  };
}
