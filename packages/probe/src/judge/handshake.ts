import type { Evidence } from '../report';
import type { Handshake } from '../wire/probe-socket';
import { isLimitRefusal } from './codes';
import { describeHandshake, handshakeCode, handshakeOutcome, isUnreachable } from './describe';

const LIMIT_NOTE = 'refused by a rate or connection limit, which says nothing about this attempt';

/**
 * Judges one handshake that should not get in, by what happened: it passes when the
 * socket did not connect (any `connect_error`, an HTTP refusal, a close or a dropped
 * connection before CONNECT), fails when it connected, and is `no-answer` when nothing
 * came in time. The server's code, whatever its naming, goes into the evidence.
 */
export function judgeHandshake(attempt: string, handshake: Handshake, timeoutMs: number): Evidence {
  const code = handshakeCode(handshake);
  const base = {
    attempt,
    received: describeHandshake(handshake),
    outcome: handshakeOutcome(handshake),
    ms: handshake.ms,
    ...(code === undefined ? {} : { code }),
  };
  switch (handshake.kind) {
    case 'connected':
    case 'upgraded':
      return { ...base, verdict: 'fail' };
    case 'refused':
      return isLimitRefusal(handshake.code, handshake.retryAfterMs)
        ? { ...base, verdict: 'not-applicable', note: LIMIT_NOTE }
        : { ...base, verdict: 'pass' };
    case 'http-refused':
      return handshake.status === 429
        ? { ...base, verdict: 'not-applicable', note: LIMIT_NOTE }
        : { ...base, verdict: 'pass', note: 'refused before the WebSocket opened' };
    case 'closed':
      return { ...base, verdict: 'pass', note: 'closed before CONNECT' };
    case 'timeout':
      return { ...base, verdict: 'no-answer', note: `nothing within ${timeoutMs} ms` };
    case 'network-error':
      return isUnreachable(handshake)
        ? { ...base, verdict: 'no-answer', note: 'the server could not be reached' }
        : { ...base, verdict: 'pass', note: 'connection dropped before CONNECT' };
  }
}
