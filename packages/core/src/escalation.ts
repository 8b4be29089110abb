import type { GuardErrorCode } from './codes';
import type { RefusalWeight } from './events';
import { getContext } from './context';
import { countAt, countInWindow } from './fixed-window';
import { GuardError } from './guard-error';
import { sharedState } from './shared-state';
import type { AnyServer, AnySocket } from './socket-types';

/** The one shape of "disconnect after N refusals within T" across every guard. */
export interface DisconnectAfter {
  /** Refusals (weighted, see `weights`) that cut the socket. */
  readonly refusals: number;
  /** Within this many milliseconds (a fixed window from the first counted refusal). */
  readonly withinMs: number;
}

export interface EscalationOptions {
  /**
   * When a socket has been refused often enough to be cut. Default 50 within 10 s;
   * `false` never cuts (each packet is still refused).
   */
  readonly disconnectAfter?: DisconnectAfter | false;
  /**
   * How much one refusal of each code counts. Defaults: `PAYLOAD_TOO_LARGE` 5 (the
   * server read and measured it), `VALIDATION_FAILED` and `FORBIDDEN` 2, `INTERNAL` 0
   * (the server's failure, never the client's), everything else 1. So an honest client
   * making a few mistakes is never cut, and 10 oversized frames in 10 s are enough.
   */
  readonly weights?: Readonly<Partial<Record<GuardErrorCode, number>>>;
}

export const DEFAULT_DISCONNECT_AFTER: DisconnectAfter = { refusals: 50, withinMs: 10_000 };

export const DEFAULT_REFUSAL_WEIGHTS: Readonly<Partial<Record<GuardErrorCode, number>>> = {
  PAYLOAD_TOO_LARGE: 5,
  VALIDATION_FAILED: 2,
  FORBIDDEN: 2,
  INTERNAL: 0,
  // A client retrying a message it is not sure was delivered is told REPLAYED: honest.
  REPLAYED: 0,
};

/** The resolved policy a server's refusals are weighed by. */
export interface EscalationPolicy {
  /** When refusals cut the socket; `undefined` never cuts. */
  readonly disconnectAfter: DisconnectAfter | undefined;
  /**
   * The window refusals are weighed in: `disconnectAfter.withinMs`, or the default's
   * 10 s when sockets are never cut (the weight is still kept, for audit to read).
   */
  readonly windowMs: number;
  readonly weight: (code: GuardErrorCode) => number;
}

/** Validates the options once; the policy is read on every refusal. */
export function resolveEscalation(options: EscalationOptions | false = {}): EscalationPolicy {
  const after = options === false ? false : (options.disconnectAfter ?? DEFAULT_DISCONNECT_AFTER);
  if (after !== false) {
    if (!Number.isFinite(after.refusals) || after.refusals <= 0) {
      throw new TypeError('escalation.disconnectAfter.refusals must be a positive number.');
    }
    if (!Number.isFinite(after.withinMs) || after.withinMs <= 0) {
      throw new TypeError('escalation.disconnectAfter.withinMs must be a positive number.');
    }
  }
  const weights: Partial<Record<GuardErrorCode, number>> = {
    ...DEFAULT_REFUSAL_WEIGHTS,
    ...(options === false ? {} : options.weights),
  };
  for (const [code, value] of Object.entries(weights)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`escalation.weights.${code} must be a number ≥ 0.`);
    }
  }
  return {
    disconnectAfter: after === false ? undefined : after,
    windowMs: after === false ? DEFAULT_DISCONNECT_AFTER.withinMs : after.withinMs,
    weight: (code) => weights[code] ?? 1,
  };
}

const DEFAULT_POLICY = resolveEscalation();

/** Sets the policy of one server (`configurePortcullis` does it). */
export function setEscalation(io: AnyServer, policy: EscalationPolicy): void {
  sharedState.escalationByServer.set(io, policy);
}

function policyOf(socket: AnySocket): EscalationPolicy {
  return (
    (sharedState.escalationByServer.get(socket.nsp.server) as EscalationPolicy | undefined) ??
    DEFAULT_POLICY
  );
}

const tooManyRefusals = new GuardError('RATE_LIMITED', {
  message: 'Too many refused messages.',
  retryAfterMs: 10_000,
});

/**
 * Counts one refusal against the socket, weighted by its code, in the socket's own
 * window (`context.refusals`; nothing is kept for a socket that was never refused).
 * Answers the weight of the socket's refusals in the window, this one included: the one
 * count of "how often was this socket refused", which `refusePacket` puts on the
 * `packet_refused` event for audit to read.
 */
export function weighRefusal(socket: AnySocket, code: GuardErrorCode, now: number): RefusalWeight {
  const policy = policyOf(socket);
  const context = getContext(socket);
  const added = policy.weight(code);
  if (added === 0) {
    return {
      total: countAt(context.refusals, now, policy.windowMs),
      added,
      windowMs: policy.windowMs,
    };
  }
  context.refusals = countInWindow(context.refusals, added, now, policy.windowMs);
  return { total: context.refusals.count, added, windowMs: policy.windowMs };
}

/**
 * The error to cut the socket with once `weight` (from `weighRefusal`) reaches the
 * server's threshold, and `undefined` otherwise. The one place that decides when
 * refusals become a disconnect; guards only refuse.
 */
export function escalationCut(socket: AnySocket, weight: RefusalWeight): GuardError | undefined {
  const after = policyOf(socket).disconnectAfter;
  return after !== undefined && weight.added > 0 && weight.total >= after.refusals
    ? tooManyRefusals
    : undefined;
}

/** The weight of the socket's refusals in its current window (0 when none). */
export function refusalWeightOf(socket: AnySocket, now: number): number {
  return countAt(getContext(socket).refusals, now, policyOf(socket).windowMs);
}
