import {
  disconnectWithCode,
  onPacketRefused,
  recordSocketEvent,
  type AnySocket,
  type PacketGuard,
} from '@portcullis/core';
import { newCounter } from './memory-window';
import { countRefusal, refusalWindow, tooManyRefusals, type RefusalLimit } from './refusal-window';

const GUARD = 'error-rate-limit';

export interface ErrorRateLimitGuardOptions {
  /** Refusals, by any guard, that end the connection (`INTERNAL` ones excepted). Default 20. */
  refusals?: number;
  /** Window the refusals are counted in. Default 10,000 ms. */
  windowMs?: number;
  /** Report a `would_refuse` event instead of disconnecting. Default `false`. */
  dryRun?: boolean;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_ERROR_RATE: RefusalLimit = { refusals: 20, windowMs: 10_000 };

/**
 * Disconnects a socket whose packets are refused, by any guard, `refusals` times within
 * `windowMs`: a client that keeps sending what the server refuses (invalid payloads,
 * forbidden events, floods) is probing or broken, and costs a reply per packet.
 * `INTERNAL` refusals, the server's own failures, do not count.
 * Its `check` lets everything through; the counting happens on refusals.
 *
 * @example
 * usePacketGuards(io, sizeGuard, messageRateLimitGuard(), validateGuard, errorRateLimitGuard());
 */
export function errorRateLimitGuard(
  options: Readonly<ErrorRateLimitGuardOptions> = {},
): PacketGuard {
  const spec = refusalWindow(
    {
      refusals: options.refusals ?? DEFAULT_ERROR_RATE.refusals,
      windowMs: options.windowMs ?? DEFAULT_ERROR_RATE.windowMs,
    },
    'errorRateLimitGuard',
  );
  const clock = options.now ?? Date.now;
  if (typeof clock !== 'function')
    throw new TypeError('errorRateLimitGuard: now must be a function.');
  const dryRun = options.dryRun === true;

  return {
    guardName: GUARD,
    check: () => undefined,
    attach(socket: AnySocket) {
      // Lives in the socket's own refusal listeners: nothing outlives the socket.
      const refusals = newCounter();
      onPacketRefused(socket, (error, packet) => {
        // INTERNAL means the server could not check the packet (a store down under
        // onStoreError: 'deny', a failing guard): not the client's doing. Counting it
        // would turn an outage into RATE_LIMITED disconnects of every active socket.
        if (error.code === 'INTERNAL') return;
        if (!countRefusal(refusals, spec, clock())) return;
        if (dryRun) {
          recordSocketEvent(socket, 'would_refuse', {
            code: 'RATE_LIMITED',
            event: packet[0],
            guard: GUARD,
            detail: { action: 'disconnect', refusals: spec.points + 1 },
          });
          return;
        }
        // After the refusal in progress has been answered.
        queueMicrotask(() => disconnectWithCode(socket, tooManyRefusals(spec.durationMs), GUARD));
      });
    },
  };
}
