import { performance } from 'node:perf_hooks';
import {
  answerLimit,
  backoffPhrase,
  retryWhileLimited,
  withBackoffNote,
  type BackoffRecord,
} from '../backoff';
import type { ProbeContext } from '../context';
import {
  isLimitRefusal,
  judgePacket,
  notApplicable,
  refusals,
  worstVerdict,
  type CheckOutcome,
} from '../judge';
import type { Evidence } from '../report';
import { awaitAnswer, refusalCode, type Answer } from '../wire/await-answer';
import type { ProbeSocket } from '../wire/probe-socket';
import { eventFrame } from '../wire/packets';
import { planFieldMutations, type FieldMutation } from './field-mutations';
import { argumentsJson } from './payloads';
import { controlNotAccepted, sendControl } from './payload-control';

/** Acked mutations named in the summary; the evidence lists every one. */
const NAMED_IN_SUMMARY = 10;

/** Why the run stopped before its last mutation. */
interface Stop {
  /** For the report's `received` column, e.g. `not sent: cut (RATE_LIMITED)`. */
  readonly received: string;
  readonly code?: string;
  /** In words, for the summary. */
  readonly reason: string;
  /** For the row, when it says more than `reason` (how long the probe waited). */
  readonly note?: string;
}

/**
 * Sends one payload with an ack on `socket` and waits for the answer; a rate limit is
 * waited out and the payload sent again on the same socket (within the back-off's
 * bounds), never after the server cut it.
 */
async function exchange(
  ctx: ProbeContext,
  socket: ProbeSocket,
  event: string,
  payloadJson: string,
  cut: () => Stop | undefined,
): Promise<{ result: Answer; backoff: BackoffRecord }> {
  return retryWhileLimited(
    ctx.backoff,
    async () => {
      const ackId = socket.nextAckId();
      const pending = awaitAnswer(
        socket,
        ackId,
        ctx.events,
        ctx.options.timeoutMs,
        performance.now(),
      );
      socket.send(eventFrame(ctx.options.namespace, ackId, argumentsJson(event, payloadJson)));
      const answer = await pending;
      // Guards cut a socket right behind a refusal (too many of them): see that cut
      // before the next mutation, so that it is not taken for that mutation's answer.
      if (answer.kind === 'refused') await ctx.settle(socket);
      return answer;
    },
    answerLimit,
    () => cut() === undefined && ctx.usable(socket),
  );
}

/** Follows the server cutting the socket: its `portcullis:disconnect`, or the close. */
function watchCut(socket: ProbeSocket, disconnectEvent: string): () => Stop | undefined {
  let announced: string | undefined;
  socket.on('event', (name, args) => {
    if (name === disconnectEvent) announced ??= refusalCode(args[0]) ?? 'no code';
  });
  return () => {
    if (announced !== undefined) {
      return {
        received: `not sent: cut (${announced})`,
        ...(announced === 'no code' ? {} : { code: announced }),
        reason: `the server cut the connection (${announced})`,
      };
    }
    if (socket.closed) {
      const how = socket.closeCode === undefined ? 'closed' : `closed ${socket.closeCode}`;
      return { received: `not sent: ${how}`, reason: `the server closed the connection (${how})` };
    }
    return undefined;
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function failSummary(judged: readonly Evidence[]): string {
  const acked = judged.filter((item) => item.verdict === 'fail').map((item) => item.attempt);
  const named = acked.slice(0, NAMED_IN_SUMMARY).join(', ');
  const more =
    acked.length > NAMED_IN_SUMMARY ? ` and ${acked.length - NAMED_IN_SUMMARY} more` : '';
  return `${acked.length} of ${plural(judged.length, 'mutated payload')} acked without an error: ${named}${more}`;
}

/**
 * The user's sample payload on `event`, then that payload with one field at a time
 * (top level, and one level down) replaced by a value of another type: a number for a
 * string, a string for a number, null, an object, an array, a boolean, an object with
 * its own `__proto__`, a 16 KiB string. A handler without a schema gets every one of
 * them, and whatever it does with a type it did not expect (string methods on an
 * object, a merge of `__proto__`, a 16 KiB room name) is the attacker's to choose.
 *
 * One connection of its own, at most `mutationCount` mutations, one at a time; a
 * short rate limit is waited out (`../backoff`). It stops when the server cuts the
 * connection or rate limits it for longer than the probe waits, and at the first
 * mutation neither refused nor answered.
 */
export async function fieldTypesCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { event, payload, mutationCount, disconnectEvent } = ctx.options;
  if (event === undefined) {
    return notApplicable('needs --event: an event your server handles (with an ack, ideally)');
  }
  const mutations = planFieldMutations(payload, mutationCount);
  if (mutations.length === 0) {
    return notApplicable(
      'needs --payload: a payload your server accepts for --event, with the fields to mutate',
    );
  }
  const socket = await ctx.honestSocket();
  const cut = watchCut(socket, disconnectEvent);
  try {
    // Without an accepted original, refusals of the mutations would prove nothing.
    const control = await sendControl(ctx, socket, event, payload);
    if (control.verdict !== 'pass') return controlNotAccepted(control, event, '--payload');
    const { judged, stop } = await sendMutations(ctx, socket, event, mutations, cut);
    return verdict(control, judged, stop, mutations.length);
  } finally {
    socket.close();
  }
}

async function sendMutations(
  ctx: ProbeContext,
  socket: ProbeSocket,
  event: string,
  mutations: readonly FieldMutation[],
  cut: () => Stop | undefined,
): Promise<{ judged: Evidence[]; stop: Stop | undefined }> {
  const judged: Evidence[] = [];
  for (const mutation of mutations) {
    const cutBefore = cut();
    if (cutBefore !== undefined) return { judged, stop: cutBefore };
    const sent = await exchange(ctx, socket, event, mutation.payloadJson(), cut);
    const answer = sent.result;
    if (answer.kind === 'refused' && isLimitRefusal(answer.code, answer.retryAfterMs)) {
      // Refused for the rate, not the type, even after waiting: this one and the rest
      // cannot be judged.
      const code = answer.code ?? 'a retry-after';
      const reason = `the server rate limited the probe (${code})`;
      const waited = backoffPhrase(sent.backoff);
      return {
        judged,
        stop: {
          received: `not judged: ${code}`,
          ...(answer.code === undefined ? {} : { code: answer.code }),
          reason,
          ...(waited === undefined ? {} : { note: `${reason}; ${waited}` }),
        },
      };
    }
    judged.push(
      withBackoffNote(judgePacket(mutation.attempt, answer, ctx.options.timeoutMs), sent.backoff),
    );
    if (answer.kind === 'silent') {
      return {
        judged,
        stop: { received: 'not sent', reason: `no answer within ${ctx.options.timeoutMs} ms` },
      };
    }
  }
  return { judged, stop: undefined };
}

function verdict(
  control: Evidence,
  judged: readonly Evidence[],
  stop: Stop | undefined,
  planned: number,
): CheckOutcome {
  const left = planned - judged.length;
  const stopRow: Evidence[] =
    stop === undefined || left === 0
      ? []
      : [
          {
            attempt: `${plural(left, 'more mutation')}`,
            received: stop.received,
            ...(stop.code === undefined ? {} : { code: stop.code }),
            verdict: 'pass',
            note: stop.note ?? stop.reason,
          },
        ];
  const evidence = [control, ...judged, ...stopRow];
  if (judged.length === 0) {
    return {
      status: 'fail',
      summary: `no mutation could be judged: ${stop?.reason ?? 'none sent'}; run again later, or as another user (--claims)`,
      evidence,
    };
  }
  const status = worstVerdict(judged);
  if (status === 'fail') return { status, summary: failSummary(judged), evidence };
  if (status !== 'pass') {
    const open = judged.find((item) => item.verdict === status) as Evidence;
    const what = status === 'no-answer' ? 'no answer' : 'cannot judge';
    return { status, summary: `${what}: ${open.attempt} got ${open.received}`, evidence };
  }
  const tail =
    stop === undefined || left === 0
      ? ''
      : `; then ${stop.reason}, so ${plural(left, 'mutation')} went unjudged`;
  return {
    status: 'pass',
    summary: `every field of another type was refused (${plural(judged.length, 'mutation')}: ${refusals(judged)}${tail})`,
    evidence,
  };
}
