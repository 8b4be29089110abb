import { performance } from 'node:perf_hooks';
import type { ProbeSocket } from './probe-socket';

/** How the server answered one packet. */
export type Answer =
  | { kind: 'acked'; ms: number }
  | {
      kind: 'refused';
      ms: number;
      code: string | undefined;
      via: 'ack' | 'error event' | 'disconnect event';
    }
  | { kind: 'closed'; ms: number; closeCode: number | undefined }
  | { kind: 'silent'; ms: number };

export interface AnswerEvents {
  readonly errorEvent: string;
  readonly disconnectEvent: string;
}

/** The code of a Portcullis refusal body `{ code }`, or of an ack `{ error: { code } }`. */
export function refusalCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function ackError(args: readonly unknown[]): { code: string | undefined } | undefined {
  const first = args[0];
  if (typeof first !== 'object' || first === null || !('error' in first)) return undefined;
  const { error } = first as { error: unknown };
  if (error === undefined || error === null || error === false) return undefined;
  return { code: refusalCode(error) };
}

/**
 * Waits for the answer to the packet sent with `ackId`: its ack (a Portcullis
 * `{ error }` counts as a refusal), a `portcullis:error` / `portcullis:disconnect`
 * event, the connection closing, or nothing within `timeoutMs`. Call it right after
 * sending; `started` is when the packet left.
 */
export function awaitAnswer(
  socket: ProbeSocket,
  ackId: number,
  events: AnswerEvents,
  timeoutMs: number,
  started = performance.now(),
): Promise<Answer> {
  const elapsed = (): number => Math.round(performance.now() - started);
  if (socket.closed) {
    return Promise.resolve({ kind: 'closed', ms: 0, closeCode: socket.closeCode });
  }
  return new Promise((resolve) => {
    let disconnectCode: string | undefined;
    const done = (answer: Answer): void => {
      clearTimeout(timer);
      socket.off('ack', onAck);
      socket.off('event', onEvent);
      socket.off('close', onClose);
      resolve(answer);
    };
    const onAck = (id: number, args: unknown[]): void => {
      if (id !== ackId) return;
      const error = ackError(args);
      if (error === undefined) done({ kind: 'acked', ms: elapsed() });
      else done({ kind: 'refused', ms: elapsed(), code: error.code, via: 'ack' });
    };
    const onEvent = (name: string, args: unknown[]): void => {
      if (name === events.errorEvent) {
        done({ kind: 'refused', ms: elapsed(), code: refusalCode(args[0]), via: 'error event' });
      } else if (name === events.disconnectEvent) {
        // The close follows; keep the code, which says why.
        disconnectCode = refusalCode(args[0]);
      }
    };
    const onClose = (closeCode: number | undefined): void => {
      if (disconnectCode !== undefined) {
        done({ kind: 'refused', ms: elapsed(), code: disconnectCode, via: 'disconnect event' });
      } else {
        done({ kind: 'closed', ms: elapsed(), closeCode });
      }
    };
    const timer = setTimeout(() => {
      if (disconnectCode === undefined) done({ kind: 'silent', ms: elapsed() });
      else done({ kind: 'refused', ms: elapsed(), code: disconnectCode, via: 'disconnect event' });
    }, timeoutMs);
    socket.on('ack', onAck);
    socket.on('event', onEvent);
    socket.on('close', onClose);
  });
}
