import type { Evidence } from '../report';
import type { Answer } from '../wire/await-answer';
import { isLimitRefusal } from './codes';
import { answerOutcome, describeAnswer } from './describe';

/**
 * Judges the answer to one packet that should not reach the handler, by what
 * happened: it passes when the client was told no (an ack with any error shape, an
 * error event, a disconnect), fails when the packet was acked as accepted, and is
 * `no-answer` when nothing came in time. A refusal by a rate limit proves nothing
 * about the packet (`not-applicable`).
 */
export function judgePacket(attempt: string, answer: Answer, timeoutMs: number): Evidence {
  const code = answer.kind === 'refused' ? answer.code : undefined;
  const base = {
    attempt,
    received: describeAnswer(answer),
    outcome: answerOutcome(answer),
    ms: answer.ms,
    ...(code === undefined ? {} : { code }),
  };
  switch (answer.kind) {
    case 'acked':
      return { ...base, verdict: 'fail' };
    case 'refused':
      return isLimitRefusal(answer.code, answer.retryAfterMs)
        ? {
            ...base,
            verdict: 'not-applicable',
            note: 'refused by a rate limit, which says nothing about this packet',
          }
        : { ...base, verdict: 'pass' };
    case 'closed':
      return { ...base, verdict: 'pass', note: 'the server closed the connection' };
    case 'silent':
      return { ...base, verdict: 'no-answer', note: `nothing within ${timeoutMs} ms` };
  }
}
