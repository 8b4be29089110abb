import { GuardError, isGuardError } from './guard-error';
import { recordSocketEvent } from './record';
import { refusePacket } from './refuse';
import { namespaceOf, onSocketRelease, type ReleaseStep } from './socket-release';
import type {
  AnyNamespace,
  AnyServer,
  AnySocket,
  HandshakeMiddleware,
  Packet,
  PacketMiddleware,
} from './socket-types';

/** `undefined` lets the connection or packet through; a `GuardError` refuses it. */
export type GuardVerdict = GuardError | undefined | void;

/**
 * A packet check returns this when it answered the packet itself (an in-band control
 * event such as a token refresh): the packet goes no further, and it is not a refusal.
 * `Symbol.for`, so the ESM and CommonJS copies of core agree on it.
 */
export const PACKET_HANDLED: unique symbol = Symbol.for('portcullis.packetHandled') as never;

/** What a packet check may answer: through, refused, or handled by the guard itself. */
export type PacketVerdict = GuardVerdict | typeof PACKET_HANDLED;

/** A verdict now, or later when the check needs a remote store. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether a check answered later (a Promise or any thenable) rather than now. */
export function isThenable<T>(value: MaybePromise<T>): value is Promise<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A bug or a failing dependency inside a check becomes `INTERNAL`, never a crash. */
function internalError(cause: unknown): GuardError {
  if (isGuardError(cause)) return cause;
  return new GuardError('INTERNAL', { cause });
}

/** Decides once per connection attempt; wrapped by `handshakeGuard` into `io.use`. */
export type HandshakeCheck<S extends AnySocket = AnySocket> = (
  socket: S,
) => MaybePromise<GuardVerdict>;

/**
 * Turns a check into an `io.use` middleware. A refusal reaches the client as
 * `connect_error` with `err.data = { code, message, retryable, retryAfterMs? }` and is
 * recorded as a `handshake_refused` security event. A check that throws or rejects
 * refuses with `INTERNAL` (fail closed) and never takes the process down.
 */
export function handshakeGuard<S extends AnySocket = AnySocket>(
  guard: string,
  check: HandshakeCheck<S>,
): HandshakeMiddleware<S> {
  const finish = (socket: S, next: (err?: Error) => void, verdict: GuardVerdict): void => {
    if (verdict === undefined) {
      next();
      return;
    }
    recordSocketEvent(socket, 'handshake_refused', { code: verdict.code, guard });
    next(verdict);
  };
  const middleware: HandshakeMiddleware<S> = (socket, next) => {
    let verdict: MaybePromise<GuardVerdict>;
    try {
      verdict = check(socket);
    } catch (error) {
      finish(socket, next, internalError(error));
      return;
    }
    if (isThenable(verdict)) {
      verdict.then(
        (result) => finish(socket, next, result),
        (error: unknown) => finish(socket, next, internalError(error)),
      );
    } else {
      finish(socket, next, verdict);
    }
  };
  Object.defineProperty(middleware, 'name', { value: `${guard}HandshakeGuard` });
  return middleware;
}

/** Decides for each packet; may rewrite the packet's arguments in place. */
export type PacketCheck<S extends AnySocket = AnySocket> = (
  socket: S,
  packet: Packet,
) => MaybePromise<PacketVerdict>;

/** A per-packet guard: a name for events, the check, and optional per-socket set-up. */
export interface PacketGuard<S extends AnySocket = AnySocket> {
  readonly guardName: string;
  readonly check: PacketCheck<S>;
  /** Runs once when a socket connects, before its first packet (timers, state). */
  readonly attach?: (socket: S) => void;
  /**
   * Runs once when a socket that `attach` saw disconnects: what the guard keeps for the
   * socket is given back here. Registered once per namespace (core's `onSocketRelease`),
   * so a guard adds no `disconnect` listener of its own to each socket.
   */
  readonly release?: (socket: S, reason: string) => void;
}

/**
 * One `socket.use` middleware that runs several packet guards in order. It stays
 * synchronous while every check answers synchronously (no Promise, no allocation
 * beyond the packet); an async check suspends the loop until it settles. A refusal is
 * answered through `refusePacket` and `next` is never called, so the handler never
 * runs and Socket.io's costly error path is skipped.
 */
export function packetMiddleware<S extends AnySocket>(
  socket: S,
  guards: readonly PacketGuard<S>[],
): PacketMiddleware {
  // The only closure a socket gets from the chain: the loop and the refusal live at
  // module level and take the socket and the guards as arguments.
  return function portcullisPacketGuards(packet, next) {
    runPacketGuards(socket, guards, packet, next, 0);
  };
}

function refuseAt<S extends AnySocket>(
  socket: S,
  guards: readonly PacketGuard<S>[],
  packet: Packet,
  error: GuardError,
  index: number,
): void {
  const guard = guards[index] as PacketGuard<S>;
  try {
    refusePacket(socket, packet, error, guard.guardName);
  } catch {
    // The client may be gone mid-reply; there is nothing left to tell it.
  }
}

function runPacketGuards<S extends AnySocket>(
  socket: S,
  guards: readonly PacketGuard<S>[],
  packet: Packet,
  next: (err?: Error) => void,
  start: number,
): void {
  const count = guards.length;
  for (let index = start; index < count; index++) {
    let verdict: MaybePromise<PacketVerdict>;
    try {
      verdict = (guards[index] as PacketGuard<S>).check(socket, packet);
    } catch (error) {
      refuseAt(socket, guards, packet, internalError(error), index);
      return;
    }
    if (verdict === undefined) continue;
    if (verdict === PACKET_HANDLED) return;
    if (isThenable(verdict)) {
      const at = index;
      verdict.then(
        (result) => {
          if (result === undefined) runPacketGuards(socket, guards, packet, next, at + 1);
          else if (result !== PACKET_HANDLED) refuseAt(socket, guards, packet, result, at);
        },
        (error: unknown) => refuseAt(socket, guards, packet, internalError(error), at),
      );
      return;
    }
    refuseAt(socket, guards, packet, verdict, index);
    return;
  }
  next();
}

/**
 * Attaches packet guards to every socket of a namespace (or of the main namespace of a
 * server), in the order given.
 */
export function usePacketGuards<S extends AnySocket = AnySocket>(
  target: AnyServer | AnyNamespace,
  ...guards: PacketGuard<S>[]
): void {
  if (guards.length === 0) return;
  chainOfNamespace(namespaceOf(target), guards as unknown as readonly PacketGuard[]);
  // Release steps first: their one `disconnect` listener is in place before any guard
  // takes something on for the socket.
  for (const guard of guards) {
    if (guard.release !== undefined) onSocketRelease(target, guard.release as ReleaseStep);
  }
  target.on('connection', (socket: AnySocket) => attachPacketGuards(socket as S, guards));
}

/**
 * Attaches packet guards to one socket: their set-up, then one `socket.use`. Their
 * `release` steps run only where `usePacketGuards` (or `onSocketRelease`) registered
 * them for the socket's namespace.
 */
export function attachPacketGuards<S extends AnySocket>(
  socket: S,
  guards: readonly PacketGuard<S>[],
): void {
  for (const guard of guards) guard.attach?.(socket);
  if (chainsByNamespace.get(socket.nsp) === guards && installSharedRun(socket)) return;
  useFirst(socket, packetMiddleware(socket, guards));
}

/**
 * The first packet guards installed on each namespace (`usePacketGuards`): its sockets
 * run them through `runWithGuardsFirst`, found here by the socket's namespace, so a
 * socket costs no closure of its own for them.
 */
const chainsByNamespace = new WeakMap<AnyNamespace, readonly PacketGuard[]>();

function chainOfNamespace(nsp: AnyNamespace, guards: readonly PacketGuard[]): void {
  if (!chainsByNamespace.has(nsp)) chainsByNamespace.set(nsp, guards);
}

/** What Socket.io's `Socket` does with its middlewares: `fns`, run by `run` for each event. */
interface SocketMiddlewares {
  fns: unknown;
  run(event: Packet, done: (err?: Error) => void): void;
}

/**
 * Socket.io's `run` for a socket whose namespace's packet guards come first. Socket.io
 * calls `this.run(event, done)` for each incoming event and runs `socket.fns` in it; this
 * runs the guards, then Socket.io's own `run` for any middleware added with
 * `socket.use` afterwards. One function for every socket: `this` is the socket.
 */
function runWithGuardsFirst(this: AnySocket, event: Packet, done: (err?: Error) => void): void {
  const guards = chainsByNamespace.get(this.nsp) as readonly PacketGuard[];
  const middlewares = (this as unknown as SocketMiddlewares).fns as unknown[];
  if (middlewares.length === 0) {
    runPacketGuards(this, guards, event, done, 0);
    return;
  }
  const socketIoRun = (Object.getPrototypeOf(this) as SocketMiddlewares).run;
  runPacketGuards(this, guards, event, () => socketIoRun.call(this, event, done), 0);
}

/**
 * Puts the namespace's packet guards ahead of the socket's middlewares without a closure
 * per socket. A guard chain in `socket.fns` is a closure per socket plus its scope and
 * the array's slot (about 130 bytes), since Socket.io calls a middleware without saying
 * which socket it is for; `run`, called on the socket, knows it, so one shared function
 * set as the socket's own `run` (one property slot) does the same. Only where the chain
 * would have come first anyway (no middleware yet) and Socket.io's `run` is the one
 * expected; otherwise false, and the chain goes into `socket.fns` as before.
 */
function installSharedRun(socket: AnySocket): boolean {
  const target = socket as unknown as SocketMiddlewares;
  if (!Array.isArray(target.fns) || target.fns.length !== 0) return false;
  if (Object.prototype.hasOwnProperty.call(socket, 'run')) return false;
  const socketIoRun = (Object.getPrototypeOf(socket) as Partial<SocketMiddlewares>).run;
  if (typeof socketIoRun !== 'function' || socketIoRun.length !== 2) return false;
  target.run = runWithGuardsFirst;
  return true;
}

/**
 * `socket.use(middleware)` for a socket with no packet middleware yet, at a fraction of
 * the memory: `use` pushes onto an empty array, which V8 grows to room for 16 entries
 * (144 bytes per socket); a one-element array holds exactly one. Socket.io keeps its
 * middlewares in `socket.fns`; when that is not the empty array expected (another
 * middleware came first, another Socket.io version), `use` is called as usual.
 */
function useFirst(socket: AnySocket, middleware: PacketMiddleware): void {
  const holder = socket as unknown as { fns?: unknown };
  if (Array.isArray(holder.fns) && holder.fns.length === 0) holder.fns = [middleware];
  else socket.use(middleware);
}

function recordDisconnection(socket: AnySocket, reason: string): void {
  recordSocketEvent(socket, 'disconnection', { detail: { reason } });
}

function recordConnection(socket: AnySocket): void {
  recordSocketEvent(socket, 'connection', {});
}

/** Records `connection` and `disconnection` security events for a namespace. */
export function recordConnections(target: AnyServer | AnyNamespace): void {
  onSocketRelease(target, recordDisconnection);
  target.on('connection', recordConnection);
}
