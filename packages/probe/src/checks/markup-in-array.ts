import { answerLimit, retryWhileLimited, withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { judgePacket, notApplicable, outcomeOf, refusalPhrase, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import type { SanitizedTarget } from '../options';
import type { Answer } from '../wire/await-answer';
import { eventFrame } from '../wire/packets';
import { setJson } from './json-set';
import { MARKUP, findEcho } from './markup-echo';
import { exchange } from './packet-attempt';
import { controlNotAccepted, sendControl } from './payload-control';
import { argumentsJson } from './payloads';

export const NEEDS_SANITIZED =
  'needs --sanitized-fields: the fields your server sanitizes (with --sanitized-event and --sanitized-payload when they are not --event and --payload)';

/**
 * Sends the sanitized payload with `json` at one field and judges what came back:
 * refused passes; acked is judged by the echo (the ack, or an event the socket got
 * meanwhile, such as the broadcast of the stored message): markup intact fails,
 * cleaned passes, no echo cannot be judged.
 */
async function markupAttempt(
  ctx: ProbeContext,
  target: SanitizedTarget,
  attempt: string,
  payloadJson: string,
): Promise<Evidence> {
  const { result, backoff } = await retryWhileLimited(
    ctx.backoff,
    async () => {
      const socket = await ctx.sharedSocket();
      const seen: unknown[] = [];
      const onEvent = (_name: string, args: unknown[]): void => {
        seen.push(args);
      };
      socket.on('event', onEvent);
      try {
        const answer = await exchange(ctx, socket, (ackId) => [
          eventFrame(ctx.options.namespace, ackId, argumentsJson(target.event, payloadJson)),
        ]);
        await ctx.settle(socket);
        return { answer, seen };
      } finally {
        socket.off('event', onEvent);
      }
    },
    ({ answer }) => answerLimit(answer),
  );
  return withBackoffNote(
    judgeEcho(attempt, result.answer, result.seen, ctx.options.timeoutMs),
    backoff,
  );
}

/** Refused passes; acked is judged by what came back (see `markupAttempt`). */
function judgeEcho(
  attempt: string,
  answer: Answer,
  seen: readonly unknown[],
  timeoutMs: number,
): Evidence {
  const row = judgePacket(attempt, answer, timeoutMs);
  if (answer.kind !== 'acked') return row;
  switch (findEcho([answer.args, ...seen])) {
    case 'intact':
      return { ...row, received: 'acked, echoed intact', note: 'the markup came back as sent' };
    case 'cleaned':
      return { ...row, received: 'acked, echoed cleaned', verdict: 'pass' };
    case 'absent':
      return {
        ...row,
        received: 'acked, not echoed',
        verdict: 'not-applicable',
        note: 'nothing came back to show whether the markup was cleaned',
      };
  }
}

/**
 * Markup (`<img src=x onerror=alert(1)>`) at each sanitized field: as a string (the
 * shape the sanitizer expects), in an array, and in an array in an array. Field-path
 * sanitizers that clean only strings where a string is expected hand the arrays to the
 * handler as they came, and whatever renders them (`innerHTML`, `String(array)`) runs
 * the script. The probe cannot see the handler: an ack with the markup echoed intact
 * fails; refused, or echoed cleaned, passes; acked with nothing echoed cannot be judged.
 */
export async function markupInArrayCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const target = ctx.options.sanitized;
  if (target === undefined) return notApplicable(NEEDS_SANITIZED);
  const control = await sendControl(ctx, () => ctx.sharedSocket(), target.event, target.payload);
  if (control.verdict !== 'pass') {
    return controlNotAccepted(control, target.event, '--sanitized-payload');
  }
  const evidence: Evidence[] = [control];
  for (const field of target.fields) {
    const label = field.join('.');
    const shapes: [string, unknown][] = [
      [`markup as a string in ${label}`, MARKUP],
      [`${label} as an array of markup`, [MARKUP]],
      [`${label} as a nested array of markup`, [[MARKUP]]],
    ];
    for (const [attempt, value] of shapes) {
      const json = setJson(target.payload, field, JSON.stringify(value));
      evidence.push(await markupAttempt(ctx, target, attempt, json));
    }
  }
  return outcomeOf(evidence, {
    pass: (items) => {
      const seen = items
        .slice(1)
        .map((item) => (item.outcome === 'acked' ? item.received : refusalPhrase(item)));
      return `markup never came back intact (${[...new Set(seen)].join('; ')})`;
    },
    fail: (miss) => `${miss.attempt} was acked and echoed back with the markup intact`,
  });
}
