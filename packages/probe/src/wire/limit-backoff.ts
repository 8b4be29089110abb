import { setTimeout as delay } from 'node:timers/promises';
import { isLimitRefusal } from '../judge/codes';
import type { Answer } from './await-answer';

/** Resends after a rate or connection limit at most this many times per packet. */
export const LIMIT_RETRIES = 2;
/** Longest wait the probe accepts from a `retryAfterMs`; a longer one is not waited for. */
export const MAX_LIMIT_WAIT_MS = 5000;
/** The wait when a limit refusal names none. */
export const DEFAULT_LIMIT_WAIT_MS = 1000;

/**
 * Sends a packet again after a limit refusal, the way a careful client would: after the
 * server's `retryAfterMs` (or a second when it gave none), at most `LIMIT_RETRIES` times,
 * never waiting longer than `MAX_LIMIT_WAIT_MS`. A check is then judged on the guard it
 * targets, not on the probe's own traffic tripping a rate limit (a server that charges
 * large messages more, say). The last answer is returned as it came; a socket the server
 * closed is not sent to again.
 */
export async function withLimitBackoff(
  send: () => Promise<Answer>,
  closed: () => boolean,
): Promise<Answer> {
  let answer = await send();
  for (let retry = 0; retry < LIMIT_RETRIES; retry++) {
    if (answer.kind !== 'refused' || !isLimitRefusal(answer.code, answer.retryAfterMs)) break;
    const wait = answer.retryAfterMs ?? DEFAULT_LIMIT_WAIT_MS;
    if (wait > MAX_LIMIT_WAIT_MS || closed()) break;
    await delay(wait + 50);
    if (closed()) break;
    answer = await send();
  }
  return answer;
}
