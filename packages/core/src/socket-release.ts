import { sharedState } from './shared-state';
import type { AnyNamespace, AnyServer, AnySocket } from './socket-types';

/** What a guard gives back when one of its sockets disconnects. */
export type ReleaseStep = (socket: AnySocket, reason: string) => void;

const stepsByNamespace = sharedState.releaseSteps as WeakMap<AnyNamespace, ReleaseStep[]>;

/**
 * The one `disconnect` listener of every socket of a namespace with release steps. It
 * is the same function for every socket (Socket.io calls it with the socket as `this`),
 * so a socket costs one listener slot here, not a closure per guard.
 */
function releaseSocket(this: AnySocket, reason: string): void {
  const steps = stepsByNamespace.get(this.nsp);
  if (steps === undefined) return;
  for (const step of steps) {
    try {
      step(this, reason);
    } catch {
      // One guard's failing clean-up must not keep the others from theirs.
    }
  }
}

function listenForRelease(socket: AnySocket): void {
  socket.on('disconnect', releaseSocket);
}

/**
 * Gives this socket core's release listener if it has none yet: for a guard whose first
 * `onSocketRelease` call for a namespace happens inside that namespace's `connection`
 * event, where a listener added for the event would only run from the next socket on.
 */
export function releaseWhenDisconnected(socket: AnySocket): void {
  if (!socket.listeners('disconnect').includes(releaseSocket)) listenForRelease(socket);
}

/** The namespace a guard installed on `io` or on a namespace acts in (`io` means `/`). */
export function namespaceOf(target: AnyServer | AnyNamespace): AnyNamespace {
  return 'sockets' in target && 'of' in target ? target.sockets : (target as AnyNamespace);
}

/**
 * Runs `step` once for each socket of the namespace when it disconnects, for sockets
 * that reached `connection` after this call. Guards register their clean-up here at
 * set-up instead of adding a `disconnect` listener (a closure) to every socket: however
 * many guards there are, a socket gets one listener, shared by all sockets.
 */
export function onSocketRelease(target: AnyServer | AnyNamespace, step: ReleaseStep): void {
  const nsp = namespaceOf(target);
  const steps = stepsByNamespace.get(nsp);
  if (steps !== undefined) {
    if (!steps.includes(step)) steps.push(step);
    return;
  }
  stepsByNamespace.set(nsp, [step]);
  nsp.on('connection', listenForRelease);
}
