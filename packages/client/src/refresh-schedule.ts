/** setTimeout's ceiling (about 24.8 days); a refresh further away is not scheduled. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * A JWT's `exp` counts whole seconds: two tokens issued within the same second expire
 * together even when nothing caps them. An expiry that did not move tells only once the
 * refresh came at least this long after that expiry was learned.
 */
const EXPIRY_RESOLUTION_MS = 1_000;
/** How long before a token's expiry a refresh held back by the floor still runs. */
const EXPIRY_MARGIN_MS = 1_000;

/**
 * When the automatic refreshes run. Two rules keep a tab from hammering the token
 * endpoint when the sign-in itself ends (the identity provider caps every new token at
 * the same `exp`, so refreshing cannot move the expiry):
 *
 * - never sooner than `minIntervalMs` after the previous refresh started (unless the
 *   token would expire first: then a second before its expiry, and at least a second
 *   after the previous refresh);
 * - once a refresh did not move the expiry later, no more automatic refreshes for that
 *   expiry (nor for a `portcullis:expiring` about it), until a later one shows up.
 *
 * Without them the timer, set at half the time left, halved its wait each round: 19
 * refreshes in the last second of a sign-in (issue #19).
 */
export interface RefreshSchedule {
  /** Connected with a token expiring then (the JWT's `exp`), if known. */
  connected(expiresAt: number | undefined): void;
  /** A refresh starts now, asked by the app or by this schedule. */
  started(): void;
  /**
   * The server took a refresh and says the session now ends at `expiresAt`. Returns
   * `true` the first time an expiry is found not to move: the sign-in is ending.
   */
  accepted(expiresAt: number | null): boolean;
  /** `portcullis:expiring` about `expiresAt`: refresh as soon as the floor allows. */
  warned(expiresAt: number | undefined): void;
  /** `portcullis:expired`: the server dropped the user; refresh as soon as the floor allows. */
  expired(): void;
  /** Disconnected or disposed: nothing runs until the next `connected`. */
  stop(): void;
}

export interface RefreshScheduleOptions {
  readonly now: () => number;
  /** `undefined`: no timer of its own, only the server's warnings. */
  readonly refreshBeforeMs: number | undefined;
  readonly minIntervalMs: number;
  /** Starts a refresh (it calls `started`). */
  readonly run: () => void;
}

export function refreshSchedule(options: RefreshScheduleOptions): RefreshSchedule {
  const { now, refreshBeforeMs, minIntervalMs, run } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueAt = Infinity;
  let lastStartedAt = -Infinity;
  let knownExpiresAt: number | undefined;
  /** When `knownExpiresAt` was learned: at the connection, or when its refresh started. */
  let learnedAt = -Infinity;
  /** An expiry refreshing could not move: the end of the sign-in. */
  let endingAt: number | undefined;

  const stop = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    dueAt = Infinity;
  };

  const runAt = (at: number): void => {
    stop();
    const delay = Math.max(0, at - now());
    if (delay > MAX_TIMER_MS) return;
    dueAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      dueAt = Infinity;
      run();
    }, delay);
  };

  /**
   * `at`, or later when the previous refresh started less than the floor ago. The floor
   * gives way to a token that would expire before it (tokens shorter than
   * `minIntervalMs`): the refresh then runs `EXPIRY_MARGIN_MS` before the expiry, but
   * never sooner than `EXPIRY_RESOLUTION_MS` after the previous one.
   */
  const notBeforeFloor = (at: number): number => {
    const latest =
      knownExpiresAt === undefined ? Infinity : knownExpiresAt - EXPIRY_MARGIN_MS - lastStartedAt;
    const interval = Math.min(minIntervalMs, Math.max(EXPIRY_RESOLUTION_MS, latest));
    return Math.max(at, lastStartedAt + interval);
  };

  /**
   * `refreshBeforeMs` ahead, or at half the time left when that is shorter; floored. A
   * refresh already due sooner stays: the server's warning about the new expiry can
   * arrive before the answer to the refresh that made it, and must not be dropped.
   */
  const planFor = (expiresAt: number): void => {
    if (refreshBeforeMs === undefined) return;
    const current = now();
    const left = expiresAt - current;
    const at = notBeforeFloor(current + Math.max(0, left - refreshBeforeMs, left / 2));
    if (timer !== undefined && dueAt <= at) return;
    runAt(at);
  };

  const soon = (): void => {
    const at = notBeforeFloor(now());
    if (timer !== undefined && dueAt <= at) return;
    runAt(at);
  };

  const isEnding = (expiresAt: number | undefined): boolean =>
    endingAt !== undefined && expiresAt !== undefined && expiresAt <= endingAt;

  return {
    connected(expiresAt) {
      knownExpiresAt = expiresAt;
      learnedAt = now();
      if (endingAt !== undefined && expiresAt !== undefined && expiresAt > endingAt) {
        endingAt = undefined;
      }
      // A new connection: nothing planned for the previous one carries over.
      stop();
      if (expiresAt !== undefined && !isEnding(expiresAt)) planFor(expiresAt);
    },
    started() {
      lastStartedAt = now();
    },
    accepted(expiresAt) {
      const previous = knownExpiresAt;
      if (expiresAt === null) {
        knownExpiresAt = undefined;
        endingAt = undefined;
        stop();
        return false;
      }
      if (previous !== undefined && expiresAt <= previous) {
        if (lastStartedAt - learnedAt < EXPIRY_RESOLUTION_MS) {
          // Too soon to tell: the same second as the token before. Ask again, floored.
          soon();
          return false;
        }
        stop();
        knownExpiresAt = expiresAt;
        const first = endingAt !== expiresAt;
        endingAt = expiresAt;
        return first;
      }
      knownExpiresAt = expiresAt;
      learnedAt = lastStartedAt;
      endingAt = undefined;
      planFor(expiresAt);
      return false;
    },
    warned(expiresAt) {
      if (!isEnding(expiresAt)) soon();
    },
    expired: soon,
    stop,
  };
}
