import type { SecurityEventDetail } from './events';
import type { GuardError } from './guard-error';
import { recordSocketEvent, safeEventName } from './record';
import { escalationCut, weighRefusal } from './escalation';
import { settingsOf } from './settings';
import { sharedState } from './shared-state';
import type { AnySocket, Packet } from './socket-types';

export type RefusalListener = (error: GuardError, packet: Packet) => void;

// Keyed by the socket object, so an entry dies with its socket: nothing outlives it.
const refusalListeners = sharedState.refusalListeners as WeakMap<AnySocket, RefusalListener[]>;

/**
 * Calls `listener` each time any guard refuses a packet on this socket. The error-rate
 * limit of `@portcullis/rate-limit` uses it to cut sockets that keep getting refused.
 */
export function onPacketRefused(socket: AnySocket, listener: RefusalListener): void {
  const listeners = refusalListeners.get(socket);
  if (listeners === undefined) refusalListeners.set(socket, [listener]);
  else listeners.push(listener);
}

/**
 * Answers a refused packet so the client is never left waiting: the packet's ack gets
 * `{ error }` when it has one, otherwise the socket gets the error event
 * (`portcullis:error`, with the event name). Records a `packet_refused` security event.
 * The caller must not call `next()`: the handler never runs.
 */
export function refusePacket(
  socket: AnySocket,
  packet: Packet,
  error: GuardError,
  guard: string,
  detail?: SecurityEventDetail,
): void {
  const last = packet[packet.length - 1];
  if (typeof last === 'function') {
    (last as (reply: unknown) => void)({ error: error.data });
  } else if (socket.connected) {
    socket.emit(settingsOf(socket).errorEvent, { ...error.data, event: safeEventName(packet[0]) });
  }
  const refusalWeight = weighRefusal(socket, error.code, settingsOf(socket).now());
  recordSocketEvent(socket, 'packet_refused', {
    code: error.code,
    event: packet[0],
    guard,
    refusalWeight,
    ...(detail === undefined ? {} : { detail }),
  });
  const listeners = refusalListeners.get(socket);
  if (listeners !== undefined) {
    for (const listener of listeners) listener(error, packet);
  }
  const cut = escalationCut(socket, refusalWeight);
  if (cut !== undefined) {
    // After this packet's answer has gone out, so the client hears both, in order.
    queueMicrotask(() => disconnectWithCode(socket, cut, 'escalation'));
  }
}

export interface DisconnectOptions {
  /**
   * Close the whole underlying connection (every namespace), not only this namespace.
   * Default `true`: a revoked or expired credential is not valid in any namespace.
   */
  closeConnection?: boolean;
}

/**
 * Tells the client why, then disconnects it: emits the disconnect event
 * (`portcullis:disconnect`) with the error's data, records a `forced_disconnect`
 * security event, and disconnects. Engine.io flushes the event before closing.
 */
export function disconnectWithCode(
  socket: AnySocket,
  error: GuardError,
  guard: string,
  options: DisconnectOptions = {},
): void {
  if (!socket.connected) return;
  socket.emit(settingsOf(socket).disconnectEvent, error.data);
  recordSocketEvent(socket, 'forced_disconnect', { code: error.code, guard });
  socket.disconnect(options.closeConnection ?? true);
}
