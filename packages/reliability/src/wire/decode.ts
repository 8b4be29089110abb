/**
 * A small decoder for what a Socket.io v4 server sends over a WebSocket: Engine.IO v4
 * packets (`0` open, `2` ping, `4` message, …) carrying Socket.IO v5 packets
 * (`0` CONNECT, `2` EVENT, `3` ACK, `4` CONNECT_ERROR, …). Enough to read replies; it
 * is not the client's parser on purpose, so a parser bug cannot hide a bad reply.
 */

export const SOCKET_IO_TYPES = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

export interface SocketIoPacket {
  readonly type: number;
  readonly nsp: string;
  readonly id: number | undefined;
  readonly attachments: number;
  readonly data: unknown;
}

/** The Socket.IO packet inside an Engine.IO `4` message; `undefined` for anything else. */
export function decodeMessage(frame: string): SocketIoPacket | undefined {
  if (frame[0] !== '4' || frame.length < 2) return undefined;
  const text = frame.slice(1);
  let index = 0;
  const type = Number(text[index++]);
  if (!Number.isInteger(type) || type < 0 || type > 6) return undefined;
  let attachments = 0;
  if (type === SOCKET_IO_TYPES.BINARY_EVENT || type === SOCKET_IO_TYPES.BINARY_ACK) {
    const dash = text.indexOf('-', index);
    if (dash === -1) return undefined;
    attachments = Number(text.slice(index, dash));
    index = dash + 1;
  }
  let nsp = '/';
  if (text[index] === '/') {
    const comma = text.indexOf(',', index);
    const end = comma === -1 ? text.length : comma;
    nsp = text.slice(index, end);
    index = comma === -1 ? end : end + 1;
  }
  let idText = '';
  while (index < text.length && /\d/.test(text[index] as string)) idText += text[index++];
  let data: unknown;
  if (index < text.length) {
    try {
      data = JSON.parse(text.slice(index)) as unknown;
    } catch {
      return undefined;
    }
  }
  return { type, nsp, id: idText === '' ? undefined : Number(idText), attachments, data };
}
