import { HARD_MAX_DEPTH } from './options';

/**
 * Bytes one engine.io message frame carried: a text frame is the packet type byte
 * (`4`) plus the UTF-8 bytes of the Socket.io packet, a binary frame its raw bytes.
 * These are the frames `maxHttpBufferSize` is compared with on WebSocket.
 */
export function frameBytes(data: unknown): number {
  if (typeof data === 'string') return 1 + Buffer.byteLength(data, 'utf8');
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

const CHAR_BINARY_EVENT = 0x35; // '5'
const CHAR_BINARY_ACK = 0x36; // '6'

/** A Socket.io `BINARY_EVENT` / `BINARY_ACK` header: `51-["upload",{"_placeholder":true,"num":0}]`. */
export function isBinaryHeader(text: string): boolean {
  const type = text.charCodeAt(0);
  return type === CHAR_BINARY_EVENT || type === CHAR_BINARY_ACK;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether the JSON in a packet nests deeper than Socket.io's recursive binary decoder can
 * survive. One pass over the characters, strings skipped, stopping as soon as the
 * answer is yes. The outer array of arguments counts as one level.
 */
export function nestsTooDeeply(text: string, limit = HARD_MAX_DEPTH + 1): boolean {
  let depth = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const char = text.charCodeAt(index);
    if (char === QUOTE) {
      // Skip the string, honouring escapes.
      for (index++; index < length; index++) {
        const inner = text.charCodeAt(index);
        if (inner === BACKSLASH) index++;
        else if (inner === QUOTE) break;
      }
    } else if (char === OPEN_ARRAY || char === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (char === CLOSE_ARRAY || char === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
