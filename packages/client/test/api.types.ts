/**
 * Compile-time checks of the public API, run by `tsc` (the typecheck script).
 */
import type { Socket } from 'socket.io-client';
import { guardClient, readGuardError, type GuardErrorInfo } from '../src';

interface ServerToClient {
  'chat:message': (message: { text: string }) => void;
}
interface ClientToServer {
  'chat:send': (message: { text: string }, ack: (reply: { ok: boolean }) => void) => void;
}

/** A socket typed with the app's own events is accepted as it is. */
export function typedSocketsAreAccepted(socket: Socket<ServerToClient, ClientToServer>) {
  return guardClient(socket, { getToken: async () => 'token' });
}

/** The code is a closed union: a switch over it narrows and must be exhaustive. */
export function exhaustive(value: unknown): string {
  const info: GuardErrorInfo | undefined = readGuardError(value);
  if (info === undefined) return 'none';
  switch (info.code) {
    case 'ORIGIN_REJECTED':
    case 'AUTH_REQUIRED':
    case 'AUTH_INVALID':
    case 'AUTH_EXPIRED':
    case 'FORBIDDEN':
    case 'RATE_LIMITED':
    case 'CONNECTION_LIMIT':
    case 'PAYLOAD_TOO_LARGE':
    case 'VALIDATION_FAILED':
    case 'SESSION_EXPIRED':
    case 'SESSION_REVOKED':
    case 'IDLE_TIMEOUT':
    case 'INTERNAL':
    case 'CONTENT_REJECTED':
    case 'REPLAYED':
      return info.code;
    default: {
      const never: never = info.code;
      return never;
    }
  }
}
