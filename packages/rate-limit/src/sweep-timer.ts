import type { WindowSpec } from './limit-spec';

const MIN_SWEEP_MS = 1000;
const MAX_SWEEP_MS = 60_000;

/** How often the keys of a window are swept: once per window, within [1 s, 60 s]. */
export function sweepPeriodFor(spec: WindowSpec): number {
  return Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, spec.durationMs, spec.blockDurationMs));
}

/**
 * One timer that runs `sweep` every `everyMs` for as long as it answers that something
 * is left to sweep, armed only while there is: memory returns to its baseline once the
 * keys stop coming, and an idle process keeps no timer (`unref`: it never keeps the
 * process alive either).
 */
export class SweepTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly everyMs: number,
    /** Drops what has expired; answers whether anything is left. */
    private readonly sweep: () => boolean,
  ) {}

  arm(): void {
    if (this.timer !== undefined) return;
    const timer = setTimeout(() => {
      this.timer = undefined;
      if (this.sweep()) this.arm();
    }, this.everyMs);
    timer.unref();
    this.timer = timer;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
