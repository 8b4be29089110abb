import { randomUUID } from 'node:crypto';
import { withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { judgePacket, notApplicable, outcomeOf, refusals, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { eventFrame } from '../wire/packets';
import type { ProbeSocket } from '../wire/probe-socket';
import { exchangeWithBackoff } from './packet-attempt';
import { controlNotAccepted, sendControl } from './payload-control';
import { argumentsJson } from './payloads';

/** How far in the past the stale message claims to have been sent. */
const STALE_BY_MS = 60 * 60 * 1000;

/**
 * Sends one message of the replay event with a fresh id and the current time (it must
 * be accepted), then the very same message again (a captured packet resent, a script
 * voting twice), then a new id stamped an hour ago (an old capture with its id
 * changed, outside any window the server keeps ids for). A server with replay
 * protection refuses the last two.
 */
export async function replayCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const target = ctx.options.replay;
  if (target === undefined) {
    return notApplicable('needs --replay-event: an event your server protects against replays');
  }
  const { event, idField, timeField } = target;
  const message = (id: string, sentAt: number): unknown => ({
    ...target.payload,
    [idField]: id,
    [timeField]: sentAt,
  });
  // On the shared session (the server may close and the context reopen it): the
  // per-user connection limits of the server see one handshake fewer.
  const socket = (): Promise<ProbeSocket> => ctx.sharedSocket();
  const first = message(randomUUID(), Date.now());
  const control = await sendControl(ctx, socket, event, first);
  if (control.verdict !== 'pass') {
    return controlNotAccepted(
      { ...control, attempt: `"${event}": one message with a new ${idField}` },
      event,
      '--replay-payload',
    );
  }
  const evidence: Evidence[] = [
    { ...control, attempt: `"${event}": one message with a new ${idField}` },
    await attempt(ctx, socket, event, 'the same message again (same id)', first),
    await attempt(
      ctx,
      socket,
      event,
      `a new ${idField} with ${timeField} an hour ago`,
      message(randomUUID(), Date.now() - STALE_BY_MS),
    ),
  ];
  return outcomeOf(evidence, {
    pass: (items) => `a repeated and a stale message were ${refusals(items.slice(1))}`,
    fail: (miss) => `${miss.attempt} was ${miss.received}`,
  });
}

async function attempt(
  ctx: ProbeContext,
  socket: () => Promise<ProbeSocket>,
  event: string,
  description: string,
  payload: unknown,
): Promise<Evidence> {
  const { result, backoff } = await exchangeWithBackoff(ctx, socket, (ackId) => [
    eventFrame(ctx.options.namespace, ackId, argumentsJson(event, JSON.stringify(payload))),
  ]);
  return withBackoffNote(
    judgePacket(`"${event}": ${description}`, result, ctx.options.timeoutMs),
    backoff,
  );
}
