import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { WindowSpec } from '../src/limit-spec';
import { KeyedMemoryWindow } from '../src/memory-window';

/**
 * The synchronous window must answer exactly what `RateLimiterMemory` answers, packet by
 * packet, across window ends and block expiries. Both read the same clock: Jest's
 * modern fake timers fake `Date`, which `RateLimiterMemory` reads, and our window is
 * given `Date.now()` at each consume (and as its sweep clock). Time only moves through
 * `jest.advanceTimersByTime`, which also runs both sides' timers in time order (the
 * library deletes a key when its window or block ends; ours sweeps expired keys), so a
 * timer that fires early or late shows up as a different answer. Between two consumes
 * the clock stands still, so the waits must be equal to the millisecond.
 */

/** What rate-limiter-flexible answers: 0 when allowed, else msBeforeNext. */
async function libraryAnswer(limiter: RateLimiterMemory, key: string, cost: number) {
  try {
    await limiter.consume(key, cost);
    return 0;
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return rejection.msBeforeNext;
  }
}

/** A seeded pseudo-random sequence (a linear congruential generator): runs are repeatable. */
function random(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * below);
  };
}

const SPECS: WindowSpec[] = [
  { points: 10, durationMs: 60_000, blockDurationMs: 0 },
  { points: 3, durationMs: 5_000, blockDurationMs: 0 },
  // A block longer than the window: a repeat offender waits past the window's end.
  { points: 10, durationMs: 10_000, blockDurationMs: 120_000 },
  // A block shorter than what is left of the window: the wait ends before the window.
  { points: 5, durationMs: 10_000, blockDurationMs: 2_000 },
  { points: 1, durationMs: 1_000, blockDurationMs: 3_000 },
];
const SEEDS = [1, 7, 42, 1234];
const PACKETS = 400;
const KEYS = ['ada', 'bob', 'cy'];

beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => jest.useRealTimers());

describe('the synchronous in-memory window', () => {
  it.each(SPECS)(
    'answers exactly what RateLimiterMemory answers, packet by packet, across windows and blocks (%o)',
    async (spec) => {
      let refusals = 0;
      let passedAfterRefusal = 0;
      let exactEnds = 0;
      for (const seed of SEEDS) {
        const next = random(seed);
        const ours = new KeyedMemoryWindow(spec, { now: Date.now });
        const library = new RateLimiterMemory({
          points: spec.points,
          duration: spec.durationMs / 1000,
          blockDuration: spec.blockDurationMs / 1000,
        });
        const lastWait = new Map<string, number>();
        for (let packet = 0; packet < PACKETS; packet++) {
          const key = KEYS[next(KEYS.length)] as string;
          const cost = 1 + next(3);
          const expected = await libraryAnswer(library, key, cost);
          const answer = ours.consume(key, cost, Date.now());
          if (answer !== expected) {
            throw new Error(
              `seed ${seed}, packet ${packet}, key ${key}, cost ${cost}: ours ${answer}, RateLimiterMemory ${expected}`,
            );
          }
          const previous = lastWait.get(key) ?? 0;
          if (answer !== 0) refusals++;
          else if (previous !== 0) passedAfterRefusal++;
          lastWait.set(key, answer);

          // Mostly packets within a window, some landing exactly on a wait's end (the
          // boundary, where an off-by-one shows), a millisecond before it, or well past.
          const wait = answer === 0 ? 0 : answer;
          const roll = next(10);
          let step: number;
          if (wait > 0 && roll === 0) {
            step = wait;
            exactEnds++;
          } else if (wait > 1 && roll === 1) step = wait - 1;
          else if (roll === 2) step = spec.durationMs + next(spec.blockDurationMs + 1);
          else if (roll === 3) step = 0;
          else step = next(Math.ceil(spec.durationMs / 8));
          jest.advanceTimersByTime(step);
        }
        ours.clear();
      }
      // The runs went where they had to: refusals, passes again after them, exact ends.
      expect(refusals).toBeGreaterThan(20);
      expect(passedAfterRefusal).toBeGreaterThan(5);
      expect(exactEnds).toBeGreaterThan(3);
    },
  );

  it('forgets expired keys on its own, without any traffic', () => {
    const window = new KeyedMemoryWindow(
      { points: 1, durationMs: 1, blockDurationMs: 0 },
      { now: Date.now },
    );
    for (let index = 0; index < 100; index++) window.consume(`key-${index}`, 1, Date.now());
    expect(window.size).toBe(100);
    // The sweep runs at most once a second.
    jest.advanceTimersByTime(999);
    expect(window.size).toBe(100);
    jest.advanceTimersByTime(1);
    expect(window.size).toBe(0);
  });
});
