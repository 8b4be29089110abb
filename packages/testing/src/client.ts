import {
  io as connect,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
} from 'socket.io-client';
import { onCleanup } from './cleanup';

export type ClientSocket = Socket;
export type ClientOptions = Partial<ManagerOptions & SocketOptions> & {
  /** Namespace to connect to, e.g. `/admin`. Default `/`. */
  namespace?: string;
};

/** The error a `connect_error` carries when a guard refused the handshake. */
export interface ConnectError extends Error {
  data?: { code?: string; message?: string; retryable?: boolean; retryAfterMs?: number };
}

const DEFAULT_TIMEOUT_MS = 5000;

/** A real `socket.io-client` socket, websocket only, no reconnection, closed after the test. */
export function createClient(url: string, options: ClientOptions = {}): ClientSocket {
  const { namespace = '/', ...rest } = options;
  const socket = connect(`${url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: DEFAULT_TIMEOUT_MS,
    ...rest,
  });
  onCleanup(() => {
    socket.disconnect();
  });
  return socket;
}

/** Connects and resolves once connected; rejects with the `connect_error`. */
export function connectClient(url: string, options: ClientOptions = {}): Promise<ClientSocket> {
  const socket = createClient(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error) => reject(error));
  });
}

/** Connects expecting a refusal; resolves with the `connect_error`, rejects if it connects. */
export function expectConnectError(
  url: string,
  options: ClientOptions = {},
): Promise<ConnectError> {
  const socket = createClient(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('expected the handshake to be refused')));
    socket.once('connect_error', (error: ConnectError) => resolve(error));
  });
}

interface Listenable {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Resolves with the arguments of the next `event`; rejects after `timeoutMs`. */
export function waitFor(
  emitter: Listenable,
  event: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

/** Resolves when nothing arrives on `event` for `ms`; rejects with what did arrive. */
export function expectSilence(emitter: Listenable, event: string, ms = 300): Promise<void> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      reject(new Error(`expected no "${event}", got ${JSON.stringify(args)}`));
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      resolve();
    }, ms);
    emitter.once(event, listener);
  });
}

/** Emits with an ack and resolves with the ack's first argument. */
export async function emitWithAck(
  socket: ClientSocket,
  event: string,
  ...args: unknown[]
): Promise<unknown> {
  return socket.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, ...args);
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
