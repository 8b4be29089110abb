import type { Socket } from 'socket.io-client';

/**
 * The parts of a socket.io-client `Socket` used here, without its event typing (the
 * app's typed events do not list the `portcullis:*` ones).
 */
export interface LooseSocket {
  readonly connected: boolean;
  readonly active: boolean;
  auth: Socket['auth'];
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  connect(): unknown;
  disconnect(): unknown;
}

export function checkSocket(socket: unknown): asserts socket is LooseSocket {
  const candidate = socket as Partial<Record<keyof LooseSocket, unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.on !== 'function' ||
    typeof candidate.off !== 'function' ||
    typeof candidate.connect !== 'function' ||
    typeof candidate.emitWithAck !== 'function'
  ) {
    throw new TypeError(
      'guardClient(socket): pass the socket.io-client socket returned by io(url, options).',
    );
  }
}

/** The app's callbacks must not break the helper (nor socket.io's emitter) when they throw. */
export function callSafely<A extends unknown[]>(
  callback: ((...args: A) => void) | undefined,
  ...args: A
): void {
  if (callback === undefined) return;
  try {
    callback(...args);
  } catch (error) {
    // Reported like any uncaught error, after the helper finished its own work.
    setTimeout(() => {
      throw error;
    }, 0);
  }
}
