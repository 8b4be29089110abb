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
function isLimitHit(reason: unknown): reason is { msBeforeNext: number } {
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
  consume(key: string, cost: number): Promise<StoreAnswer>;
}

/**
 * A window held by a rate-limiter-flexible limiter the user built (any store).
 * `consume` never rejects: a limit hit and a store failure are different answers. A
 * store that does not answer within `timeoutMs` falls back to the insurance limiter
 * when there is one, and is a failure otherwise, so a packet is never held for long.
 */
export class StoreWindow implements AsyncWindow {
  constructor(
    private readonly limiter: RateLimiterLike,
    private readonly insurance: RateLimiterLike | undefined,
    private readonly timeoutMs: number,
  ) {}

  consume(key: string, cost: number): Promise<StoreAnswer> {
    if (cost === 0) return ALLOWED;
    const answer = settle(() => this.limiter.consume(key, cost));
    if (this.timeoutMs <= 0) return answer;
    return new Promise<StoreAnswer>((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        const insurance = this.insurance;
        if (insurance === undefined) {
          resolve(new StoreFailure(new Error(`store did not answer within ${this.timeoutMs} ms`)));
        } else {
          void settle(() => insurance.consume(key, cost)).then(resolve);
        }
      }, this.timeoutMs);
      timer.unref();
      void answer.then((result) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(result);
      });
    });
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
