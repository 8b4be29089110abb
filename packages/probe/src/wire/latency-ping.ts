import { performance } from 'node:perf_hooks';
import { SOCKET, connectFrame, namespacePrefix, ENGINE } from './packets';
import type { ProbeSocket } from './probe-socket';

/** A namespace no server should have: Socket.io itself answers "Invalid namespace". */
export const PING_NAMESPACE = '/portcullis-probe-ping';

/**
 * One round trip through the server's event loop that no guard, handler or rate limit
 * sees: a CONNECT to a namespace that does not exist, which Socket.io answers itself
 * with a CONNECT_ERROR. Its time is how long the server took to get to it: the
 * latency any other client would see at that moment. Resolves with the round trip in
 * milliseconds, or `undefined` when nothing came within `timeoutMs` (or the socket
 * closed). One ping at a time per socket.
 */
export function pingServer(socket: ProbeSocket, timeoutMs: number): Promise<number | undefined> {
  if (socket.closed) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const started = performance.now();
    const done = (ms: number | undefined): void => {
      clearTimeout(timer);
      socket.off('other', onOther);
      socket.off('close', onClose);
      resolve(ms);
    };
    const onOther = (namespace: string, type: string): void => {
      if (namespace !== PING_NAMESPACE) return;
      if (type === SOCKET.connect) {
        // A server with dynamic namespaces let it in: leave at once.
        socket.send(`${ENGINE.message}${SOCKET.disconnect}${namespacePrefix(PING_NAMESPACE)}`);
      }
      if (type === SOCKET.connect || type === SOCKET.connectError) {
        done(performance.now() - started);
      }
    };
    const onClose = (): void => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('other', onOther);
    socket.on('close', onClose);
    socket.send(connectFrame(PING_NAMESPACE, {}));
  });
}
