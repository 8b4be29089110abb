import type { GuardErrorCode } from './codes';
import { sharedState } from './shared-state';

/** What happened. Sinks may switch on it. */
export type SecurityEventType =
  /** A socket passed every handshake guard and is connected. */
  | 'connection'
  /** A socket went away, for any reason. */
  | 'disconnection'
  /** A handshake was refused (`connect_error` on the client). */
  | 'handshake_refused'
  /** A packet was refused; the handler did not run. */
  | 'packet_refused'
  /** The server cut a socket (expired, revoked, idle, abusive). */
  | 'forced_disconnect'
  /** A dry-run guard would have refused this. */
  | 'would_refuse'
  /** A pattern worth a look: repeated failures from one source. */
  | 'suspicious'
  /** A dangerous setting or a failing dependency (store down, sink throwing). */
  | 'warning';

/** Scalar facts only: no nested objects, so no message body can ride along by accident. */
export type SecurityEventDetail = Readonly<Record<string, string | number | boolean>>;

/**
 * The weight of a socket's refusals in its escalation window, as core's `weighRefusal`
 * keeps it (`configurePortcullis({ escalation })` sets the weights and the window): the
 * one count of "how often was this socket refused" that escalation cuts on and audit's
 * per-socket pattern reads.
 */
export interface RefusalWeight {
  /** The weight in the window, this refusal included. */
  readonly total: number;
  /** What this refusal added (its code's weight; 0 for `INTERNAL`, `REPLAYED`). */
  readonly added: number;
  /** The window's length in milliseconds. */
  readonly windowMs: number;
}

/**
 * One security event. It never carries a token, a cookie, a session id or a message
 * body: guards put only the code, the source and the event name here.
 */
export interface SecurityEvent {
  readonly type: SecurityEventType;
  readonly code?: GuardErrorCode;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly ip: string;
  readonly origin?: string;
  readonly userId?: string;
  readonly socketId?: string;
  /** The Socket.io event name of a refused packet. */
  readonly event?: string;
  /** The guard that produced the event (`origin`, `auth`, `rate-limit`, …). */
  readonly guard?: string;
  /** On `packet_refused`: how much the socket's refusals weigh now (escalation). */
  readonly refusalWeight?: RefusalWeight;
  readonly detail?: SecurityEventDetail;
}

export type SecurityEventListener = (event: SecurityEvent) => void | Promise<void>;

/**
 * A tiny synchronous bus. A listener that throws or rejects is isolated: the other
 * listeners still run, the guard that emitted carries on, and the failure is counted
 * and reported once per listener through `process.emitWarning`.
 */
export interface SecurityEventBusOptions {
  /**
   * Called once per failing listener (not once per failure). Default: a process
   * warning with code `PORTCULLIS_SINK_FAILED`.
   */
  onListenerError?: (error: unknown) => void;
}

function warnListenerFailed(error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(`A security event listener failed and was isolated: ${reason}`, {
    code: 'PORTCULLIS_SINK_FAILED',
  });
}

export class SecurityEventBus {
  private listeners: readonly SecurityEventListener[] = [];
  private readonly warned = new WeakSet<SecurityEventListener>();
  private readonly onListenerError: (error: unknown) => void;
  /** Number of listener failures since the bus was created. */
  listenerErrors = 0;

  constructor(options: SecurityEventBusOptions = {}) {
    this.onListenerError = options.onListenerError ?? warnListenerFailed;
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: SecurityEventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => this.off(listener);
  }

  off(listener: SecurityEventListener): void {
    this.listeners = this.listeners.filter((candidate) => candidate !== listener);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  emit(event: SecurityEvent): void {
    // Copy-on-write array: a listener that unsubscribes mid-emit does not skip another.
    const listeners = this.listeners;
    for (let index = 0; index < listeners.length; index++) {
      const listener = listeners[index] as SecurityEventListener;
      try {
        const result = listener(event);
        if (result !== undefined && typeof result.then === 'function') {
          result.then(undefined, (error: unknown) => this.reportFailure(listener, error));
        }
      } catch (error) {
        this.reportFailure(listener, error);
      }
    }
  }

  private reportFailure(listener: SecurityEventListener, error: unknown): void {
    this.listenerErrors++;
    if (this.warned.has(listener)) return;
    this.warned.add(listener);
    try {
      this.onListenerError(error);
    } catch {
      // A failing error reporter must not break the guard either.
    }
  }
}

/**
 * The process-wide default bus; `configurePortcullis(io, { bus })` picks another. One
 * object per process, shared by every copy of core (see `shared-state.ts`).
 */
export const securityEvents: SecurityEventBus = (sharedState.bus ??=
  new SecurityEventBus()) as SecurityEventBus;
