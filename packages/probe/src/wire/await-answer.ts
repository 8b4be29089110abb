import { performance } from 'node:perf_hooks';
import { ackRefusal, eventRefusal, isErrorEventName } from './ack-shape';
import type { ProbeSocket } from './probe-socket';

/** How the server answered one packet. */
export type Answer =
  | { kind: 'acked'; ms: number; args: readonly unknown[] }
  | {
      kind: 'refused';
      ms: number;
      code: string | undefined;
      retryAfterMs: number | undefined;
      /** Where the refusal came: the ack, an error event (named), or a disconnect event. */
      via: 'ack' | 'disconnect event' | { event: string };
    }
  | { kind: 'closed'; ms: number; closeCode: number | undefined }
  | { kind: 'silent'; ms: number };

export interface AnswerEvents {
  readonly errorEvent: string;
  readonly disconnectEvent: string;
}

/** The code of a refusal body `{ code }` (a Portcullis event or a 403 body). */
export function refusalCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Waits for the answer to the packet sent with `ackId`: its ack (any error shape in it
 * counts as a refusal), an error event (`portcullis:error`, `error`, `exception`,
 * `…:error`), the disconnect event and the close that follows, the connection closing,
 * or nothing within `timeoutMs`. Call it right after sending; `started` is when the
 * packet left.
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
    let announced: { code: string | undefined; retryAfterMs: number | undefined } | undefined;
    const done = (answer: Answer): void => {
      clearTimeout(timer);
      socket.off('ack', onAck);
      socket.off('event', onEvent);
      socket.off('close', onClose);
      resolve(answer);
    };
    const announcedRefusal = (): Answer | undefined =>
      announced === undefined
        ? undefined
        : { kind: 'refused', ms: elapsed(), ...announced, via: 'disconnect event' };
    const onAck = (id: number, args: unknown[]): void => {
      if (id !== ackId) return;
      const refusal = ackRefusal(args);
      done(
        refusal === undefined
          ? { kind: 'acked', ms: elapsed(), args }
          : { kind: 'refused', ms: elapsed(), ...refusal, via: 'ack' },
      );
    };
    const onEvent = (name: string, args: unknown[]): void => {
      if (name === events.disconnectEvent) {
        // The close follows; keep the code, which says why.
        announced = eventRefusal(args);
      } else if (isErrorEventName(name, events.errorEvent)) {
        done({ kind: 'refused', ms: elapsed(), ...eventRefusal(args), via: { event: name } });
      }
    };
    const onClose = (closeCode: number | undefined): void => {
      done(announcedRefusal() ?? { kind: 'closed', ms: elapsed(), closeCode });
    };
    const timer = setTimeout(() => {
      done(announcedRefusal() ?? { kind: 'silent', ms: elapsed() });
    }, timeoutMs);
    socket.on('ack', onAck);
    socket.on('event', onEvent);
    socket.on('close', onClose);
  });
}
