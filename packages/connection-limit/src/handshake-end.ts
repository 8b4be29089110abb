import type { AnyNamespace, AnySocket } from '@portcullis/core';

/** Socket.io ≥ 4.8 keeps the sockets whose middlewares are still running in this map. */
interface PreConnectSockets {
  get(id: string): AnySocket | undefined;
  delete(id: string): boolean;
}

function preConnectSocketsOf(nsp: AnyNamespace): PreConnectSockets | undefined {
  const map: unknown = (nsp as unknown as { _preConnectSockets?: unknown })._preConnectSockets;
  return map instanceof Map ? (map as PreConnectSockets) : undefined;
}

/**
 * Calls `listener` each time a socket of the namespace stops being a handshake in
 * progress: it connected, a middleware refused it, or its connection closed while the
 * middlewares ran. Socket.io (≥ 4.8) takes the socket out of the namespace's map of
 * handshakes in progress in each of these cases, and in no other; the map's `delete`
 * is wrapped once per namespace, so a connection costs nothing here, where watching its
 * outgoing frames for a `CONNECT_ERROR` cost a listener on every connection.
 *
 * The listener runs before Socket.io has connected the socket: look at it later (a
 * microtask) to tell a connection from a refusal. Returns `false`, and changes
 * nothing, on a Socket.io without that map.
 */
export function onHandshakeEnd(nsp: AnyNamespace, listener: (socket: AnySocket) => void): boolean {
  const map = preConnectSocketsOf(nsp);
  if (map === undefined) return false;
  // Another guard may have wrapped it already: each wrapper calls the one before.
  const previous = map.delete;
  map.delete = function deleteAndTell(this: PreConnectSockets, id: string): boolean {
    const socket = this.get(id);
    const deleted = previous.call(this, id);
    if (socket !== undefined) {
      try {
        listener(socket);
      } catch {
        // Counting must never break Socket.io's own bookkeeping.
      }
    }
    return deleted;
  };
  return true;
}
