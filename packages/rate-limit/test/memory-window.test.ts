import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { KeyedMemoryWindow } from '../src/memory-window';

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

/** A small deterministic pseudo-random sequence of costs. */
function costs(seed: number, length: number): number[] {
  const values: number[] = [];
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    values.push(1 + (state % 4));
  }
  return values;
}

describe('the synchronous in-memory window', () => {
  it.each([
    [{ points: 10, durationMs: 60_000, blockDurationMs: 0 }],
    [{ points: 10, durationMs: 60_000, blockDurationMs: 120_000 }],
    [{ points: 3, durationMs: 5_000, blockDurationMs: 0 }],
  ])('refuses exactly what RateLimiterMemory refuses (%o)', async (spec) => {
    for (const seed of [1, 7, 42]) {
      const ours = new KeyedMemoryWindow(spec, Date.now);
      const library = new RateLimiterMemory({
        points: spec.points,
        duration: spec.durationMs / 1000,
        blockDuration: spec.blockDurationMs / 1000,
      });
      for (const cost of costs(seed, 30)) {
        const expected = await libraryAnswer(library, 'key', cost);
        const answer = ours.consume('key', cost, Date.now());
        expect(answer === 0).toBe(expected === 0);
        // Same wait, to the few milliseconds the two clocks read apart.
        if (expected !== 0) expect(Math.abs(answer - expected)).toBeLessThan(50);
      }
      ours.clear();
    }
  });

  it('forgets expired keys on its own, without any traffic', async () => {
    let now = 0;
    const window = new KeyedMemoryWindow(
      { points: 1, durationMs: 1, blockDurationMs: 0 },
      () => now,
    );
    for (let index = 0; index < 100; index++) window.consume(`key-${index}`, 1, now);
    expect(window.size).toBe(100);
    now = 10;
    // The sweep runs at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(window.size).toBe(0);
  });
});
