/** What a check concluded. `not-applicable`: the check could not be made meaningfully. */
export type CheckStatus = 'pass' | 'fail' | 'not-applicable';

export const CHECK_IDS = [
  'baseline',
  'foreign-origin',
  'missing-origin',
  'null-origin',
  'per-message-deflate',
  'polling-cors',
  'no-token',
  'alg-none',
  'expired-token',
  'wrong-key',
  'oversized-payload',
  'prototype-pollution',
  'field-types',
  'type-confusion',
  'event-flood',
  'logout',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** One thing the probe sent and what came back. Never a token, a secret or a payload. */
export interface Evidence {
  /** What was tried, e.g. `Origin: https://portcullis-probe.invalid`. */
  readonly attempt: string;
  /**
   * What the server answered: a Portcullis code (`AUTH_REQUIRED`), `HTTP 403`,
   * `closed 1009`, `connected`, `acked`, `no answer`.
   */
  readonly received: string;
  /** The Portcullis code in the answer (`err.data.code`, the ack's `error.code`, a 403 body), if any. */
  readonly code?: string;
  /** Milliseconds from sending to the answer (the time to refusal when refused). */
  readonly ms?: number;
  /** Whether this attempt was refused the way it should be. */
  readonly ok: boolean;
  /** Anything else worth knowing, in a few words. */
  readonly note?: string;
}

export interface CheckResult {
  readonly id: CheckId;
  /** What a pass means, e.g. `a foreign Origin is refused`. */
  readonly title: string;
  readonly status: CheckStatus;
  /** Why, in one sentence. */
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

export interface ProbeReport {
  /** The endpoint probed (no credentials, no query). */
  readonly target: string;
  /** The addresses the host name resolved to, all checked; the probe connects to no other. */
  readonly addresses: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** Handshakes and HTTP requests the probe made, and its bound. */
  readonly connections: { readonly used: number; readonly max: number };
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly notApplicable: number;
  /** `true` when no check failed: the CLI exits with 0. */
  readonly ok: boolean;
}
