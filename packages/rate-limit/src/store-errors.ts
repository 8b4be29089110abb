import { GuardError, recordSocketEvent, settingsOf, type AnySocket } from '@portcullis/core';
import type { StoreErrorPolicy } from './store-options';
import type { StoreFailure } from './store-window';

/** At most one `warning` event per guard in this interval, however many packets fail. */
export const STORE_WARNING_INTERVAL_MS = 10_000;

const MAX_REASON_LENGTH = 200;

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_REASON_LENGTH ? text.slice(0, MAX_REASON_LENGTH) : text;
}

/**
 * Turns a store failure into the configured verdict and reports it. The failure is
 * never a `RATE_LIMITED` (a Redis outage must not look like everyone being over their
 * limit): `'deny'` answers `INTERNAL`, `'allow'` lets it through.
 */
export class StoreErrorHandler {
  private lastWarningAt = -Infinity;
  private unreported = 0;
  /** Failures since the guard was created. */
  failures = 0;

  constructor(
    private readonly guard: string,
    private readonly policy: StoreErrorPolicy,
  ) {}

  /** `undefined` lets it through; a `GuardError` refuses with `INTERNAL`. */
  verdict(socket: AnySocket, failure: StoreFailure, event?: string): GuardError | undefined {
    this.failures++;
    this.unreported++;
    const now = settingsOf(socket).now();
    if (now - this.lastWarningAt >= STORE_WARNING_INTERVAL_MS) {
      recordSocketEvent(socket, 'warning', {
        guard: this.guard,
        ...(event === undefined ? {} : { event }),
        detail: {
          reason: 'store_unavailable',
          policy: this.policy,
          failures: this.unreported,
          error: reasonOf(failure.error),
        },
      });
      this.lastWarningAt = now;
      this.unreported = 0;
    }
    if (this.policy === 'allow') return undefined;
    return new GuardError('INTERNAL', { cause: failure.error });
  }
}
