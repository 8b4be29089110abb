import { setTimeout as delay } from 'node:timers/promises';
import { isRetryableLimit } from './judge/codes';
import type { Evidence } from './report';
import type { Answer } from './wire/await-answer';
import type { Handshake } from './wire/probe-socket';

/**
 * How the probe behaves when a server rate limits it: as a careful client would, it
 * waits what the server asked (`retryAfterMs`) and sends the same attempt again, so
 * that a check is judged on the guard it targets rather than on the limit counting
 * the probe's own traffic. Every wait is bounded, and so is their sum.
 */
export const BACKOFF_BOUNDS = {
  /** A longer `retryAfterMs` is not waited for: the attempt stays "not judged". */
  maxWaitMs: 5000,
  /** The wait when a rate limit gives no `retryAfterMs`. */
  defaultWaitMs: 1000,
  /** Added to each wait, so the retry lands after the server's window has ended. */
  marginMs: 20,
  /** Sends of one attempt after the first. */
  maxRetries: 3,
  /** All the waits of one check. */
  perCheckMs: 15_000,
  /** All the waits of one run. */
  perRunMs: 30_000,
} as const;

/** A refusal that says "not now": its code and the wait the server asked for. */
export interface Limit {
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
}

/** What the back-off did for one attempt. */
export interface BackoffRecord {
  /** Waits made before sending the attempt again. */
  readonly waits: number;
  /** Their total, in milliseconds. */
  readonly waitedMs: number;
  /** Why the probe stopped waiting while the attempt was still limited, in words. */
  readonly gaveUp: string | undefined;
}

export const NO_BACKOFF: BackoffRecord = { waits: 0, waitedMs: 0, gaveUp: undefined };

/** The rate limit a packet's answer carries, if waiting may help. */
export function answerLimit(answer: Answer): Limit | undefined {
  if (answer.kind !== 'refused' || !isRetryableLimit(answer.code, answer.retryAfterMs)) {
    return undefined;
  }
  return { code: answer.code, retryAfterMs: answer.retryAfterMs };
}

function bodyRetryAfter(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const ms = (parsed as { retryAfterMs?: unknown }).retryAfterMs;
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** The rate limit a handshake's refusal carries (`connect_error`, HTTP 429), if waiting may help. */
export function handshakeLimit(handshake: Handshake): Limit | undefined {
  if (handshake.kind === 'refused') {
    return isRetryableLimit(handshake.code, handshake.retryAfterMs)
      ? { code: handshake.code, retryAfterMs: handshake.retryAfterMs }
      : undefined;
  }
  if (handshake.kind === 'http-refused' && handshake.status === 429) {
    return { code: undefined, retryAfterMs: bodyRetryAfter(handshake.body) };
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * The waiting time of a run and of its current check. One per run (the context's);
 * the runner calls `startCheck` before each check.
 */
export class RateBackoff {
  private checkSpent = 0;
  private runSpent = 0;

  /** `sleep`: how to wait (the tests count the waits instead of making them). */
  constructor(private readonly sleep: (ms: number) => Promise<unknown> = delay) {}

  startCheck(): void {
    this.checkSpent = 0;
  }

  /**
   * How long to wait before sending a limited attempt again (the server's
   * `retryAfterMs`, else the default, plus a margin), or why not to: the server asked
   * for longer than the probe waits, or the check's or the run's waiting time is spent.
   */
  plan(limit: Limit): { waitMs: number } | { reason: string } {
    const asked = limit.retryAfterMs ?? BACKOFF_BOUNDS.defaultWaitMs;
    if (asked > BACKOFF_BOUNDS.maxWaitMs) {
      return {
        reason: `the server asked to wait ${seconds(asked)}, longer than the probe waits (${seconds(BACKOFF_BOUNDS.maxWaitMs)})`,
      };
    }
    const waitMs = Math.max(0, Math.ceil(asked)) + BACKOFF_BOUNDS.marginMs;
    if (this.checkSpent + waitMs > BACKOFF_BOUNDS.perCheckMs) {
      return {
        reason: `the probe's waiting time for one check (${seconds(BACKOFF_BOUNDS.perCheckMs)}) is spent`,
      };
    }
    if (this.runSpent + waitMs > BACKOFF_BOUNDS.perRunMs) {
      return {
        reason: `the probe's waiting time for the run (${seconds(BACKOFF_BOUNDS.perRunMs)}) is spent`,
      };
    }
    return { waitMs };
  }

  /** Waits `ms` and counts it against the check and the run. */
  async wait(ms: number): Promise<void> {
    this.checkSpent += ms;
    this.runSpent += ms;
    await this.sleep(ms);
  }
}

/**
 * Makes `attempt` and, while its result is a rate limit (`limitOf`), waits what the
 * server asked and makes it again: at most `maxRetries` times, within the waiting time
 * of the check and the run, and only while `canRetry()` (e.g. the socket the attempt
 * must use is still open). The last result is returned as it came, with what the
 * back-off did.
 */
export async function retryWhileLimited<T>(
  backoff: RateBackoff,
  attempt: () => Promise<T>,
  limitOf: (result: T) => Limit | undefined,
  canRetry: () => boolean = () => true,
): Promise<{ result: T; backoff: BackoffRecord }> {
  let result = await attempt();
  let waits = 0;
  let waitedMs = 0;
  for (let limit = limitOf(result); limit !== undefined; limit = limitOf(result)) {
    let gaveUp: string | undefined;
    if (waits >= BACKOFF_BOUNDS.maxRetries) {
      gaveUp = `the probe waits at most ${BACKOFF_BOUNDS.maxRetries} times per attempt`;
    } else if (!canRetry()) {
      gaveUp = 'the connection it was sent on is gone';
    } else {
      const plan = backoff.plan(limit);
      if ('reason' in plan) gaveUp = plan.reason;
      else {
        await backoff.wait(plan.waitMs);
        waits += 1;
        waitedMs += plan.waitMs;
        result = await attempt();
        continue;
      }
    }
    return { result, backoff: { waits, waitedMs, gaveUp } };
  }
  return { result, backoff: { waits, waitedMs, gaveUp: undefined } };
}

/** Adds up the back-off of several attempts (the markup bomb's trials of one shape). */
export function combineBackoff(records: readonly BackoffRecord[]): BackoffRecord {
  return {
    waits: records.reduce((sum, record) => sum + record.waits, 0),
    waitedMs: records.reduce((sum, record) => sum + record.waitedMs, 0),
    gaveUp: records.map((record) => record.gaveUp).find((reason) => reason !== undefined),
  };
}

/**
 * What the back-off did, for a note: `sent again after 1 wait for a rate limit (1 s)`,
 * `still limited after 3 waits for a rate limit (3.1 s): …`, `not sent again: …`;
 * `undefined` when nothing was waited or given up.
 */
export function backoffPhrase(record: BackoffRecord): string | undefined {
  const { waits, waitedMs, gaveUp } = record;
  const counted = `${waits} wait${waits === 1 ? '' : 's'} for a rate limit (${seconds(waitedMs)})`;
  if (gaveUp === undefined) return waits === 0 ? undefined : `sent again after ${counted}`;
  return waits === 0 ? `not sent again: ${gaveUp}` : `still limited after ${counted}: ${gaveUp}`;
}

/** The evidence with what the back-off did added to its note (unchanged when nothing). */
export function withBackoffNote(evidence: Evidence, record: BackoffRecord): Evidence {
  const phrase = backoffPhrase(record);
  if (phrase === undefined) return evidence;
  return {
    ...evidence,
    note: evidence.note === undefined ? phrase : `${evidence.note}; ${phrase}`,
  };
}
