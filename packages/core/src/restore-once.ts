import { settingsOfServer } from './settings';
import { sharedState } from './shared-state';
import type { AnyNamespace } from './socket-types';

interface RestoredSession {
  readonly sid: string;
}

type RestoreSession = (pid: string, offset: string) => unknown;

interface SessionAdapter {
  restoreSession?: RestoreSession;
}

/** Adapters already wrapped, so installing twice on one namespace is harmless. */
const wrappedAdapters = sharedState.wrappedAdapters;

function isRestoredSession(value: unknown): value is RestoredSession {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sid?: unknown }).sid === 'string'
  );
}

/**
 * Lets a saved session be restored only while no socket holds it.
 *
 * Socket.io's adapters keep a disconnected socket's session (id, rooms, `socket.data`)
 * for `maxDisconnectionDuration` and hand it out on every restore request that names it,
 * so one saved session restored twice gives two live sockets with one id. The
 * namespace's map keeps only the last, and a revocation that reaches sockets through it
 * cuts one copy while the other stays connected as the user. Here a restore whose
 * session id is already live on this node (or is being restored right now) gets no
 * session: Socket.io then opens a fresh socket, which runs every handshake check.
 *
 * The adapter's `restoreSession` (a public method of the adapter API) is wrapped on the
 * namespace's own adapter instance. Per node: with an adapter that shares sessions across
 * nodes, a copy restored on another node at the same moment is not seen here.
 */
export function restoreSessionsOnce(nsp: AnyNamespace): void {
  if (!nsp.server._opts.connectionStateRecovery) return;
  const adapter = nsp.adapter as unknown as SessionAdapter;
  if (wrappedAdapters.has(adapter)) return;
  const restore = adapter.restoreSession;
  if (typeof restore !== 'function') {
    throw new TypeError(
      `restoreSessionsOnce: the adapter of namespace ${nsp.name} has no restoreSession(); ` +
        'connection state recovery cannot be guarded with it.',
    );
  }
  wrappedAdapters.add(adapter);
  // Restores handed out and not yet connected: session id → when. A restore that never
  // connects (refused, dropped) stops counting after the connect timeout.
  const inFlight = new Map<string, number>();
  const connectTimeoutMs = nsp.server.connectTimeout();
  nsp.on('connection', (socket) => {
    if (inFlight.size > 0) inFlight.delete(socket.id);
  });
  const dropStale = (now: number): void => {
    for (const [sid, at] of inFlight) if (now - at > connectTimeoutMs) inFlight.delete(sid);
  };
  const warn = (): void => {
    const settings = settingsOfServer(nsp.server);
    settings.bus.emit({
      type: 'warning',
      at: settings.now(),
      ip: '',
      guard: 'recovery',
      detail: { reason: 'session-restored-twice', namespace: nsp.name },
    });
  };
  adapter.restoreSession = function restoreSessionOnce(pid: string, offset: string) {
    return Promise.resolve(restore.call(adapter, pid, offset)).then((session: unknown) => {
      if (!isRestoredSession(session)) return session;
      const now = Date.now();
      if (inFlight.size > 0) dropStale(now);
      if (nsp.sockets.has(session.sid) || inFlight.has(session.sid)) {
        warn();
        return null;
      }
      inFlight.set(session.sid, now);
      return session;
    });
  };
}
