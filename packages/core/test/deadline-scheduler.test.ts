import { DeadlineScheduler, type ScheduledEntry } from '@portcullis/core';

interface TestEntry extends ScheduledEntry {
  readonly name: number;
}

function entry(name: number): TestEntry {
  return { name, deadline: 0, heapIndex: -1 };
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('DeadlineScheduler', () => {
  it('hands due entries over in deadline order, never a cancelled one', () => {
    let clock = 0;
    const seen: TestEntry[] = [];
    const scheduler = new DeadlineScheduler<TestEntry>({
      now: () => clock,
      onDue: (due) => seen.push(due),
      resolutionMs: 10,
    });
    const random = sequence(42);
    const entries = Array.from({ length: 600 }, (_, index) => entry(index));
    for (const item of entries) scheduler.schedule(item, 1_000_000 + Math.floor(random() * 1e6));
    // Move some, cancel others.
    for (const item of entries.slice(0, 100)) scheduler.schedule(item, 1_000_000 + item.name);
    const cancelled = new Set(entries.slice(100, 200));
    for (const item of cancelled) scheduler.cancel(item);
    expect(scheduler.size).toBe(500);
    expect(scheduler.timerCount).toBe(1);

    clock = 1_500_000;
    scheduler.run();
    const expectedDue = entries
      .filter((item) => !cancelled.has(item) && item.deadline <= clock)
      .sort((a, b) => a.deadline - b.deadline);
    expect(seen.map((item) => item.deadline)).toEqual(expectedDue.map((item) => item.deadline));
    expect(new Set(seen)).toEqual(new Set(expectedDue));
    expect(seen.some((item) => cancelled.has(item))).toBe(false);
    expect(scheduler.size).toBe(500 - seen.length);

    clock = 3_000_000;
    scheduler.run();
    expect(seen).toHaveLength(500);
    expect(scheduler.size).toBe(0);
    expect(scheduler.timerCount).toBe(0);
  });

  it('lets onDue schedule the entry again, and survives an onDue that throws', () => {
    let clock = 0;
    const calls: number[] = [];
    const scheduler: DeadlineScheduler<TestEntry> = new DeadlineScheduler<TestEntry>({
      now: () => clock,
      onDue: (due, now) => {
        calls.push(due.name);
        if (due.name === 1) throw new Error('boom');
        if (due.name === 2 && calls.length < 3) scheduler.schedule(due, now + 100);
      },
      resolutionMs: 10,
    });
    const first = entry(1);
    const second = entry(2);
    scheduler.schedule(first, 50);
    scheduler.schedule(second, 60);
    clock = 60;
    scheduler.run();
    expect(calls).toEqual([1, 2]);
    expect(scheduler.size).toBe(1); // the second, moved to 160
    clock = 160;
    scheduler.run();
    expect(calls).toEqual([1, 2, 2]);
    expect(scheduler.size).toBe(0);
    expect(scheduler.timerCount).toBe(0);
  });

  it('cancelling an entry twice, or one never scheduled, is harmless', () => {
    const scheduler = new DeadlineScheduler<TestEntry>({
      now: () => 0,
      onDue: () => undefined,
      resolutionMs: 10,
    });
    const lone = entry(1);
    scheduler.cancel(lone);
    scheduler.schedule(lone, 1e12);
    scheduler.cancel(lone);
    scheduler.cancel(lone);
    expect(scheduler.size).toBe(0);
    expect(scheduler.timerCount).toBe(0);
  });
});
