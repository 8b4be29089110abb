/**
 * What a check concluded, from what the server was seen to do:
 * - `pass`: every attempt was refused (or, for the few checks that measure, stayed in bounds);
 * - `fail`: the server was seen to accept what it should refuse;
 * - `no-answer`: neither an acceptance nor a refusal came within the time (a timeout),
 *   so the probe cannot say; never counted as a pass or a failure;
 * - `not-applicable`: the check could not be made meaningfully (an option missing, the
 *   honest payload refused, a refusal by a rate limit that says nothing of the attempt).
 */
export type CheckStatus = 'pass' | 'fail' | 'no-answer' | 'not-applicable';

/**
 * What the server did with one attempt, as observed on the wire:
 * - `connected`: the handshake was accepted (a CONNECT, or the WebSocket upgrade);
 * - `refused`: a `connect_error`, an HTTP refusal, or an error event for a packet;
 * - `acked`: the packet's ack came back without any error shape;
 * - `refused-ack`: the packet's ack carried an error (`{ error }`, `{ ok: false }`, …);
 * - `disconnected`: the server closed the connection (or dropped it) instead;
 * - `timeout`: nothing within the time (or the server could not be reached).
 */
export type Outcome =
  'connected' | 'refused' | 'acked' | 'refused-ack' | 'disconnected' | 'timeout';

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
  'unguarded-namespace',
  'oversized-payload',
  'prototype-pollution',
  'markup-in-array',
  'field-types',
  'foreign-room',
  'replay',
  'markup-bomb',
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
   * What the server answered, in a few words: a Portcullis code (`AUTH_REQUIRED`),
   * another server's answer as it came (`connect_error 'UNAUTHORIZED'`,
   * `ack error 'VALIDATION_ERROR'`), `HTTP 403`, `closed 1009`, `connected`, `acked`,
   * `no answer (timeout)`.
   */
  readonly received: string;
  /** What the server did, as observed (handshake and packet attempts). */
  readonly outcome?: Outcome;
  /**
   * The code the server named, in its own words: `err.data.code` (or a code-like
   * `connect_error` message), the ack's error code, a refusal body's `code`.
   */
  readonly code?: string;
  /** Milliseconds from sending to the answer (the time to refusal when refused). */
  readonly ms?: number;
  /** This attempt's verdict; the check's status is the worst of them. */
  readonly verdict: CheckStatus;
  /** Anything else worth knowing, in a few words. */
  readonly note?: string;
}

export interface CheckResult {
  readonly id: CheckId;
  /** What a pass means, e.g. `a foreign Origin is refused`. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was observed, in one sentence. */
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
  /** Checks that got neither an acceptance nor a refusal in time. */
  readonly noAnswer: number;
  readonly notApplicable: number;
  /** `true` when no check was seen to fail: the CLI exits with 0. */
  readonly ok: boolean;
}
