import { withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { answerOutcome, describeAnswer, notApplicable, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { eventFrame } from '../wire/packets';
import { exchangeWithBackoff, type SocketSource } from './packet-attempt';
import { argumentsJson } from './payloads';

/**
 * The honest payload sent once (again after a rate limit's wait), as evidence: `pass`
 * when it was acked as accepted.
 */
export async function sendControl(
  ctx: ProbeContext,
  source: SocketSource,
  event: string,
  payload: unknown,
): Promise<Evidence> {
  const { result: answer, backoff } = await exchangeWithBackoff(ctx, source, (ackId) => [
    eventFrame(ctx.options.namespace, ackId, argumentsJson(event, JSON.stringify(payload))),
  ]);
  return withBackoffNote(
    {
      attempt: 'the payload as given',
      received: describeAnswer(answer),
      outcome: answerOutcome(answer),
      ms: answer.ms,
      ...(answer.kind === 'refused' && answer.code !== undefined ? { code: answer.code } : {}),
      verdict: answer.kind === 'acked' ? 'pass' : 'not-applicable',
    },
    backoff,
  );
}

/** Why a control that was not acked leaves the refusals after it meaningless. */
export function controlNotAccepted(control: Evidence, event: string, option: string): CheckOutcome {
  return notApplicable(
    `the payload as given got ${control.received}, so refusals of bad ones prove nothing: give a ${option} your server acks for "${event}"`,
    [control],
  );
}

/**
 * What the message checks need before a refusal means anything: an event, and the
 * payload as given acked on the shared session (sent once per run). `undefined` when
 * they can go ahead; otherwise their not-applicable outcome.
 */
export async function messagePrecondition(ctx: ProbeContext): Promise<CheckOutcome | undefined> {
  const { event, payload } = ctx.options;
  if (event === undefined) {
    return notApplicable('needs --event: an event your server handles, with an ack');
  }
  const control = await ctx.once('payload-control', () =>
    sendControl(ctx, () => ctx.sharedSocket(), event, payload),
  );
  return control.verdict === 'pass' ? undefined : controlNotAccepted(control, event, '--payload');
}
