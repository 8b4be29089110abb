import { isGuardErrorCode, type GuardErrorCode } from './codes';

/**
 * A refusal answered over HTTP before Socket.io spoke: the origin check answers the
 * handshake with `403` and a JSON body `{ code, message }`. socket.io-client reports it
 * as a `TransportError`: for polling, `description` is the status and `context` the
 * request (its `responseText` holds the body while the `connect_error` listeners run; the
 * request is aborted right after); for a
 * WebSocket in Node, `description` is ws' error event `Unexpected server response: 403`
 * (no body); in a browser, a WebSocket refusal tells nothing.
 */
interface TransportErrorLike {
  readonly type?: unknown;
  readonly description?: unknown;
  readonly context?: unknown;
}

const WS_FORBIDDEN = /Unexpected server response: 403\b/;
const MAX_BODY_CHARS = 1024;

/** The code and message of an HTTP 403 refusal, or `undefined` for anything else. */
export function readTransportRefusal(
  value: TransportErrorLike,
): { readonly code: GuardErrorCode; readonly message: string } | undefined {
  if (value.type !== 'TransportError') return undefined;
  const { description, context } = value;
  if (description === 403) {
    const body = bodyOf(context);
    if (body !== undefined) return body;
    return { code: 'ORIGIN_REJECTED', message: 'HTTP 403 before the handshake.' };
  }
  // ws' ErrorEvent (or an Error from another realm): read its message by shape.
  const text =
    typeof description === 'object' && description !== null
      ? (description as { message?: unknown }).message
      : undefined;
  if (typeof text === 'string' && WS_FORBIDDEN.test(text)) {
    // ws gives no body: a 403 to the upgrade is the origin check's answer.
    return { code: 'ORIGIN_REJECTED', message: 'HTTP 403 before the handshake.' };
  }
  return undefined;
}

/** The refusal in a request's JSON body, if it holds one (checked, never trusted). */
function bodyOf(context: unknown): { code: GuardErrorCode; message: string } | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const text = (context as { responseText?: unknown }).responseText;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_BODY_CHARS) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { code, message } = parsed as { code?: unknown; message?: unknown };
    if (!isGuardErrorCode(code)) return undefined;
    return { code, message: typeof message === 'string' ? message : code };
  } catch {
    return undefined;
  }
}
