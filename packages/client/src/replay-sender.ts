import { readGuardError } from './guard-error-info';
import type { LooseSocket } from './loose-socket';
import type { DuplicateDelivery } from './refusal-reply';
import { isDuplicate, restamp, serverTimeOf, stamp, type Stamped } from './replay';
import type { ReplayFieldNames } from './options';

export interface ReplaySender {
  /** The arguments with an id and a send time (on the server's clock, as far as known). */
  stamp(args: readonly unknown[], fields: Required<ReplayFieldNames>): Stamped;
  /** Sends until an answer comes, resending with the same id; rejects when none came. */
  send(event: string, stamped: Stamped): Promise<unknown>;
  /** Ends every wait for a connection (`dispose`). */
  cancel(): void;
}

interface SenderOptions {
  readonly retries: number;
  readonly ackTimeoutMs: number;
  readonly now: () => number;
  readonly isDisposed: () => boolean;
}

const disposedError = (): Error =>
  new Error('guardClient: disposed before the server answered this message.');

export function replaySender(socket: LooseSocket, options: SenderOptions): ReplaySender {
  const { retries, ackTimeoutMs, now, isDisposed } = options;
  /** Server clock minus ours, learned from a clock-skew refusal. */
  let clockOffsetMs = 0;
  const waits = new Set<() => void>();

  const untilConnected = (): Promise<boolean> => {
    if (socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (connected: boolean): void => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        waits.delete(cancel);
        resolve(connected);
      };
      const onConnect = (): void => done(true);
      const cancel = (): void => done(false);
      const timer = setTimeout(cancel, ackTimeoutMs);
      socket.on('connect', onConnect);
      waits.add(cancel);
    });
  };

  return {
    stamp: (args, fields) => stamp(args, fields, Math.round(now() + clockOffsetMs)),

    async send(event, first) {
      let stamped = first;
      let retriesLeft = retries;
      // Some attempt went out without an answer: the server may have taken it.
      let maybeDelivered = false;
      let corrected = false;
      for (;;) {
        let sent = false;
        let sentAt: number | undefined;
        let reply: unknown;
        try {
          if (!(await untilConnected())) {
            if (isDisposed()) throw disposedError();
            throw new Error(`guardClient: not connected within ${ackTimeoutMs} ms.`);
          }
          if (isDisposed()) throw disposedError();
          sent = true;
          sentAt = now();
          reply = await socket.timeout(ackTimeoutMs).emitWithAck(event, ...stamped.args);
        } catch (error) {
          // Timed out, or the connection closed before the ack: resend the same message.
          if (sent) maybeDelivered = true;
          if (retriesLeft === 0 || isDisposed()) throw error;
          retriesLeft--;
          continue;
        }
        const refusal = readGuardError(reply);
        if (maybeDelivered && isDuplicate(refusal)) {
          const delivered: DuplicateDelivery = { ok: true, duplicate: true };
          return delivered;
        }
        const serverTime = serverTimeOf(refusal);
        if (serverTime !== undefined && sentAt !== undefined && stamped.ownTime && !corrected) {
          // The server's clock at about the middle of the round trip.
          clockOffsetMs = serverTime - (sentAt + now()) / 2;
          corrected = true;
          stamped = restamp(stamped, Math.round(now() + clockOffsetMs));
          continue;
        }
        return reply;
      }
    },

    cancel() {
      for (const cancel of [...waits]) cancel();
    },
  };
}
