import { KeyedWindows, countAt, countInWindow, windowLeftMs } from '@portcullis/core';

describe('fixed windows', () => {
  it('counts within a window, restarts the same object once it ends, and says what is left', () => {
    const first = countInWindow(undefined, 2, 1_000, 10_000);
    expect(first).toEqual({ count: 2, startedAt: 1_000 });
    expect(countInWindow(first, 3, 10_999, 10_000)).toBe(first);
    expect(first.count).toBe(5);
    expect(countAt(first, 10_999, 10_000)).toBe(5);
    expect(windowLeftMs(first, 10_999, 10_000)).toBe(1);
    // At the window's end the count is over: a new window starts with this count.
    expect(countAt(first, 11_000, 10_000)).toBe(0);
    expect(windowLeftMs(first, 11_000, 10_000)).toBe(0);
    expect(countInWindow(first, 1, 11_000, 10_000)).toBe(first);
    expect(first).toEqual({ count: 1, startedAt: 11_000 });
    expect(countAt(undefined, 0, 10)).toBe(0);
  });

  it('keeps at most maxKeys sources, forgetting the one restarted longest ago', () => {
    const windows = new KeyedWindows(60_000, 3);
    expect(windows.count('a', 1, 0)).toBe(1);
    expect(windows.count('b', 1, 1)).toBe(1);
    expect(windows.count('c', 1, 2)).toBe(1);
    // `a` restarts after its window: it becomes the freshest, so `b` is the stalest.
    expect(windows.count('a', 1, 60_000)).toBe(1);
    expect(windows.count('d', 1, 60_001)).toBe(1);
    expect(windows.size).toBe(3);
    expect(windows.count('b', 1, 60_002)).toBe(1); // forgotten, so counted from 1 again
    expect(windows.count('a', 1, 60_003)).toBe(2); // kept
    for (let i = 0; i < 10_000; i++) windows.count(`flood-${i}`, 1, 70_000);
    expect(windows.size).toBe(3);
    windows.forget('flood-9999');
    expect(windows.size).toBe(2);
  });
});
