/**
 * The few Engine.IO v4 and Socket.io v5-protocol frames the probe speaks, written by
 * hand so that it can also send what no well-behaved client would (forged
 * placeholders, event names that are not strings, raw `__proto__` keys).
 */

/** Engine.IO packet types (the first character of a text frame). */
export const ENGINE = { open: '0', close: '1', ping: '2', pong: '3', message: '4' } as const;

/** Socket.io packet types (the first character after the Engine.IO `4`). */
export const SOCKET = {
  connect: '0',
  disconnect: '1',
  event: '2',
  ack: '3',
  connectError: '4',
  binaryEvent: '5',
  binaryAck: '6',
} as const;

/** `/chat,` for a namespace other than `/`, as the protocol writes it. */
export function namespacePrefix(namespace: string): string {
  return namespace === '/' ? '' : `${namespace},`;
}

/** The CONNECT frame with the auth payload, e.g. `40{"token":"…"}`. */
export function connectFrame(namespace: string, auth: Record<string, unknown>): string {
  return `${ENGINE.message}${SOCKET.connect}${namespacePrefix(namespace)}${JSON.stringify(auth)}`;
}

/** An EVENT frame whose argument array is given as raw JSON text: `42<nsp><id>[…]`. */
export function eventFrame(namespace: string, ackId: number, argumentsJson: string): string {
  return `${ENGINE.message}${SOCKET.event}${namespacePrefix(namespace)}${ackId}${argumentsJson}`;
}

/** A BINARY_EVENT header announcing `attachments` binary frames: `45<n>-<nsp><id>[…]`. */
export function binaryEventFrame(
  namespace: string,
  ackId: number,
  attachments: number,
  argumentsJson: string,
): string {
  return `${ENGINE.message}${SOCKET.binaryEvent}${attachments}-${namespacePrefix(namespace)}${ackId}${argumentsJson}`;
}

export interface DecodedPacket {
  readonly type: string;
  readonly namespace: string;
  readonly id: number | undefined;
  readonly data: unknown;
}

/** Decodes a Socket.io packet (the text after the Engine.IO `4`); `undefined` when malformed. */
export function decodePacket(text: string): DecodedPacket | undefined {
  const type = text.charAt(0);
  let index = 1;
  if (type === SOCKET.binaryEvent || type === SOCKET.binaryAck) {
    const dash = text.indexOf('-', index);
    if (dash === -1) return undefined;
    index = dash + 1;
  }
  let namespace = '/';
  if (text.charAt(index) === '/') {
    const comma = text.indexOf(',', index);
    namespace = comma === -1 ? text.slice(index) : text.slice(index, comma);
    index = comma === -1 ? text.length : comma + 1;
  }
  const idStart = index;
  while (index < text.length && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57) {
    index++;
  }
  const id = index > idStart ? Number(text.slice(idStart, index)) : undefined;
  let data: unknown;
  if (index < text.length) {
    try {
      data = JSON.parse(text.slice(index));
    } catch {
      return undefined;
    }
  }
  return { type, namespace, id, data };
}
