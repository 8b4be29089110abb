import { isGuardErrorCode } from 'portcullis';
import { SOCKET_IO_TYPES, type SocketIoPacket } from './decode';

/**
 * Refusals Socket.io itself sends before any guard can see the packet. They carry a
 * message and no `data`; their list is closed too.
 */
export const SOCKET_IO_REFUSALS: readonly string[] = ['Invalid namespace'];

/** One refusal as the client saw it. */
export interface Refusal {
  /** Where it came: connect_error, an ack's `error`, or an event. */
  readonly channel: 'connect_error' | 'ack' | 'event';
  /** The Portcullis code, or Socket.io's own message (`socket.io: Invalid namespace`). */
  readonly code: string;
  /** `true` when it is one of the documented codes (or one of Socket.io's own refusals). */
  readonly documented: boolean;
}

function codeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? (value as { code?: unknown }).code
    : undefined;
}

function fromCode(channel: Refusal['channel'], code: unknown): Refusal {
  return { channel, code: String(code), documented: isGuardErrorCode(code) };
}

/**
 * The refusals in one packet from the server. A refusal is anything shaped like one:
 * a CONNECT_ERROR, an ack whose first argument has an `error`, an event whose payload
 * has a `code` (`portcullis:error`, `portcullis:disconnect`, …). Each must carry one of
 * the documented codes.
 */
export function refusalsIn(packet: SocketIoPacket): Refusal[] {
  switch (packet.type) {
    case SOCKET_IO_TYPES.CONNECT_ERROR: {
      const data = packet.data as { message?: unknown; data?: unknown } | undefined;
      if (data?.data !== undefined) return [fromCode('connect_error', codeOf(data.data))];
      const message = String(data?.message);
      return [
        {
          channel: 'connect_error',
          code: `socket.io: ${message}`,
          documented: SOCKET_IO_REFUSALS.includes(message),
        },
      ];
    }
    case SOCKET_IO_TYPES.ACK:
    case SOCKET_IO_TYPES.BINARY_ACK: {
      const first = Array.isArray(packet.data) ? (packet.data[0] as unknown) : undefined;
      if (typeof first !== 'object' || first === null || !('error' in first)) return [];
      return [fromCode('ack', codeOf((first as { error: unknown }).error))];
    }
    case SOCKET_IO_TYPES.EVENT:
    case SOCKET_IO_TYPES.BINARY_EVENT: {
      if (!Array.isArray(packet.data)) return [];
      const refusals: Refusal[] = [];
      for (const argument of packet.data.slice(1)) {
        const code = codeOf(argument);
        if (code !== undefined) refusals.push(fromCode('event', code));
      }
      return refusals;
    }
    default:
      return [];
  }
}
