/**
 * Where a packet's arguments end: Socket.io appends the ack callback last when the
 * client asked for one, and every guard that reads or rewrites the arguments must stop
 * before it. The event name (`packet[0]`) is never taken for an ack.
 */
export function argumentsEnd(packet: readonly unknown[]): number {
  const length = packet.length;
  return length > 1 && typeof packet[length - 1] === 'function' ? length - 1 : length;
}

/**
 * Whether a value is a binary attachment as Socket.io hands it over (a Buffer, another
 * typed array or DataView, or an ArrayBuffer): its bytes are data, not keys or text.
 */
export function isBinaryValue(value: unknown): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}
