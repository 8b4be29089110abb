import { GuardError, isGuardError } from './guard-error';
import { disconnectWithCode, refusePacket } from './refuse';
import { sharedState } from './shared-state';
import type { AnySocket, Packet } from './socket-types';

/** Options of `holdPackets`. */
export interface HoldPacketsOptions {
  /** The guard holding the packets, named in security events. */
  readonly guard: string;
  /**
   * Longest wait for the check. Past it the socket is cut with `INTERNAL` (fail closed):
   * a check that never answers must not leave packets parked forever. Default 10 000.
   */
  readonly timeoutMs?: number;
}

/** Packets one socket may send while held; later ones are refused with `RATE_LIMITED`. */
export const MAX_HELD_PACKETS = 100;
export const DEFAULT_HOLD_TIMEOUT_MS = 10_000;

interface Gate {
  /** Checks still running for this socket. */
  pending: number;
  /** `next` of each packet that arrived while held, in arrival order. */
  queue: ((err?: Error) => void)[];
  /** Actions deferred until the checks pass (`whenPacketsReleased`). */
  deferred: (() => void)[];
}

// Only sockets that were ever held have a gate (recovered sockets, handshakes that raced a
// revocation): an ordinary socket costs nothing here.
const gates = sharedState.packetGates as WeakMap<AnySocket, Gate>;

const tooManyHeld = new GuardError('RATE_LIMITED', {
  message: 'Too many messages before the connection was checked; retry shortly.',
  retryAfterMs: 1000,
});

function release(socket: AnySocket, gate: Gate): void {
  const queued = gate.queue;
  const deferred = gate.deferred;
  gate.queue = [];
  gate.deferred = [];
  // A socket cut by the check drops what it sent: the handler never sees those packets.
  if (!socket.connected) return;
  for (const action of deferred) action();
  for (const next of queued) next();
}

function gateFor(socket: AnySocket, guard: string): Gate {
  const existing = gates.get(socket);
  if (existing !== undefined) return existing;
  const gate: Gate = { pending: 0, queue: [], deferred: [] };
  gates.set(socket, gate);
  socket.use(function portcullisPacketGate(packet: Packet, next) {
    if (gate.pending === 0) {
      next();
      return;
    }
    if (gate.queue.length >= MAX_HELD_PACKETS) {
      refusePacket(socket, packet, tooManyHeld, guard);
      return;
    }
    gate.queue.push(next);
  });
  return gate;
}

/**
 * Holds the socket's packets until `until` settles, so no handler runs before a check
 * made after the connection has answered (a recovered socket's re-run handshake, a
 * revocation re-check). Then the held packets go on in the order they came, unless the
 * socket was disconnected meanwhile: the caller cuts a refused socket before `until`
 * resolves. A rejection or a timeout cuts the socket with `INTERNAL` (fail closed).
 *
 * Call it from a `connection` listener, before the socket's first packet can arrive.
 * Several holds on one socket open the gate when the last one settles.
 *
 * @example
 * io.on('connection', (socket) => {
 *   if (socket.recovered) holdPackets(socket, recheck(socket), { guard: 'my-guard' });
 * });
 */
export function holdPackets(
  socket: AnySocket,
  until: PromiseLike<unknown>,
  options: Readonly<HoldPacketsOptions>,
): void {
  const gate = gateFor(socket, options.guard);
  gate.pending++;
  let settled = false;
  const settle = (failure: GuardError | undefined): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (failure !== undefined) disconnectWithCode(socket, failure, options.guard);
    if (--gate.pending === 0) release(socket, gate);
  };
  const timer = setTimeout(
    () => settle(new GuardError('INTERNAL', { cause: new Error('re-check timed out') })),
    options.timeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS,
  );
  timer.unref?.();
  until.then(
    () => settle(undefined),
    (error: unknown) =>
      settle(isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error })),
  );
}

/**
 * Runs `action` once the checks holding the socket's packets have passed (at once when
 * nothing holds them), and never if they cut it. A guard whose step has side effects on
 * other sockets (evicting a user's oldest connection) uses it so that a socket still
 * being re-checked, e.g. a recovered socket of a revoked session, cannot cause them.
 */
export function whenPacketsReleased(socket: AnySocket, action: () => void): void {
  const gate = gates.get(socket);
  if (gate === undefined || gate.pending === 0) {
    action();
    return;
  }
  gate.deferred.push(action);
}

/** Whether the socket's packets are held right now (for tests and diagnostics). */
export function packetsHeld(socket: AnySocket): boolean {
  return (gates.get(socket)?.pending ?? 0) > 0;
}
