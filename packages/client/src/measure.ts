/**
 * Counts a message the way a Portcullis server measures it: the engine.io text frame
 * (its `4` type byte, the Socket.io packet header, the JSON) in UTF-8 bytes, plus the
 * raw bytes of every binary attachment frame. It mirrors socket.io-parser's encoder:
 *
 *   text:   4 2 [/nsp,] [ackId] ["event",…args]
 *   binary: 4 5 <n>- [/nsp,] [ackId] ["event",…{"_placeholder":true,"num":0}…]  + n frames
 */

/** Room kept for an ack id when its value is unknown: ids below 10^10. */
export const ACK_ID_RESERVE_DIGITS = 10;

export interface MeasureOptions {
  /** The socket's namespace. Default `/` (which adds nothing to the frame). */
  namespace?: string;
  /**
   * The ack id the packet will carry: a number when known (a fresh socket's first ack is
   * 0), `true` to keep room for any id (`ACK_ID_RESERVE_DIGITS`), `false` for none.
   * Default: room for an id when the last argument is a function (the ack), else none.
   */
  ack?: boolean | number;
}

export interface MessageMeasure {
  /** What the server compares with `maxBytes`. */
  readonly bytes: number;
  /** Binary attachments (each its own frame). */
  readonly attachments: number;
  /** The JSON of `[event, ...args]` as sent (binary replaced by placeholders). */
  readonly json: string;
}

/** UTF-8 length of a string without encoding it. JSON never holds lone surrogates. */
export function utf8Length(text: string): number {
  let bytes = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of a binary value, or -1 when it is not binary (socket.io-parser's `isBinary`). */
export function binaryBytes(value: unknown): number {
  if (typeof value !== 'object' || value === null) return -1;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (typeof Blob !== 'undefined' && value instanceof Blob) return value.size;
  return -1;
}

/** Deeper than any message a server accepts; also where a cycle is given up on. */
const MAX_WALK_DEPTH = 1_000;

/**
 * Same walk as socket.io-parser's `hasBinary` (own keys, arrays, `toJSON` results).
 * Plain loops, no allocation: it runs before every pre-checked message.
 */
function hasBinary(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_WALK_DEPTH) throw new TypeError('The message is nested too deeply or is cyclic.');
  if (binaryBytes(value) >= 0) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (hasBinary(value[index], depth + 1)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown> & { toJSON?: unknown };
  if (typeof record.toJSON === 'function') {
    return hasBinary((record.toJSON as () => unknown).call(record), depth + 1);
  }
  for (const key in record) {
    if (Object.prototype.hasOwnProperty.call(record, key) && hasBinary(record[key], depth + 1)) {
      return true;
    }
  }
  return false;
}

function ackDigits(ack: boolean | number | undefined, hasCallback: boolean): number {
  if (typeof ack === 'number') return String(Math.max(0, Math.floor(ack))).length;
  if (ack === true || (ack === undefined && hasCallback)) return ACK_ID_RESERVE_DIGITS;
  return 0;
}

/**
 * Measures `socket.emit(event, ...args)` before it is sent. Throws a `TypeError` for
 * what Socket.io could not send either (a cycle, a BigInt).
 *
 * @example
 * measureMessage('chat:send', [{ text: 'héllo' }]).bytes // 38
 */
export function measureMessage(
  event: string,
  args: readonly unknown[],
  options: MeasureOptions = {},
): MessageMeasure {
  const hasCallback = args.length > 0 && typeof args[args.length - 1] === 'function';
  const data: unknown[] = [event, ...(hasCallback ? args.slice(0, -1) : args)];
  let attachments = 0;
  let attachmentBytes = 0;
  let json: string;
  if (hasBinary(data, 0)) {
    json = JSON.stringify(data, function placeholders(this: unknown, key: string, value: unknown) {
      // `value` went through toJSON already (a Buffer's is { type, data }): look at the
      // original, as socket.io-parser does.
      const original = (this as Record<string, unknown>)[key];
      const size = binaryBytes(original);
      if (size < 0) return value;
      attachmentBytes += size;
      return { _placeholder: true, num: attachments++ };
    });
  } else {
    json = JSON.stringify(data);
  }
  const namespace = options.namespace ?? '/';
  const header =
    (attachments > 0 ? 1 + String(attachments).length + 1 : 1) +
    (namespace === '/' ? 0 : utf8Length(namespace) + 1) +
    ackDigits(options.ack, hasCallback);
  return {
    bytes: 1 + header + utf8Length(json) + attachmentBytes,
    attachments,
    json,
  };
}
