import type { RateLimiterLike } from './limit-spec';

/** Why a store could not answer; never a limit hit. */
export class StoreFailure {
  constructor(readonly error: unknown) {}
}

/** `0` allowed, a positive number of ms refused (`Infinity`: blocked without end), or a failure. */
export type StoreAnswer = number | StoreFailure;

/**
 * rate-limiter-flexible rejects `consume` with a `RateLimiterRes` when the limit is hit
 * and with an `Error` when the store fails. Duck-typed, because the user's limiter may
 * come from another copy of the library than ours (`instanceof` would miss it).
 */
export function isLimitHit(
  reason: unknown,
): reason is { msBeforeNext: number; consumedPoints?: number } {
  return (
    typeof reason === 'object' &&
    reason !== null &&
    !(reason instanceof Error) &&
    typeof (reason as { msBeforeNext?: unknown }).msBeforeNext === 'number'
  );
}

function toAnswer(reason: unknown): StoreAnswer {
  if (!isLimitHit(reason)) return new StoreFailure(reason);
  const ms = reason.msBeforeNext;
  // A negative msBeforeNext is rate-limiter-flexible's "blocked forever".
  return ms < 0 ? Infinity : Math.max(1, Math.ceil(ms));
}

const ALLOWED: Promise<StoreAnswer> = Promise.resolve(0);

/** A window (or several) answered asynchronously by a store; `consume` never rejects. */
export interface AsyncWindow {
  /** `now`: the clock of the check, in epoch milliseconds. */
  consume(key: string, cost: number, now: number): Promise<StoreAnswer>;
}

/**
 * Resolves with `answer`, or, when it takes longer than `timeoutMs`, with what
 * `onTimeout` gives (the late answer is then ignored), so a packet is never held for
 * long by a slow limiter. (Redis windows get theirs from core's Redis adapter.)
 */
export function answerWithin(
  answer: Promise<StoreAnswer>,
  timeoutMs: number,
  onTimeout: () => StoreAnswer,
): Promise<StoreAnswer> {
  return new Promise<StoreAnswer>((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      resolve(onTimeout());
    }, timeoutMs);
    timer.unref();
    void answer.then((result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(result);
    });
  });
}

/** The error a store that did not answer in time is reported with. */
export function timedOut(timeoutMs: number): Error {
  return new Error(`store did not answer within ${timeoutMs} ms`);
}

/**
 * A window held by a rate-limiter-flexible limiter the user built (any store, with its
 * own insurance if it has one). `consume` never rejects: a limit hit and a store failure
 * are different answers; a store slower than `timeoutMs` is a failure.
 */
export class StoreWindow implements AsyncWindow {
  constructor(
    private readonly limiter: RateLimiterLike,
    private readonly timeoutMs: number,
  ) {}

  consume(key: string, cost: number): Promise<StoreAnswer> {
    if (cost === 0) return ALLOWED;
    return answerWithin(
      settle(() => this.limiter.consume(key, cost)),
      this.timeoutMs,
      () => new StoreFailure(timedOut(this.timeoutMs)),
    );
  }
}

/** Runs a consume and turns every outcome, a synchronous throw included, into an answer. */
function settle(consume: () => Promise<unknown>): Promise<StoreAnswer> {
  let pending: Promise<unknown>;
  try {
    pending = consume();
  } catch (error) {
    return Promise.resolve(new StoreFailure(error));
  }
  return Promise.resolve(pending).then(() => 0, toAnswer);
}
