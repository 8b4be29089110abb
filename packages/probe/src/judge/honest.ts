import type { Handshake } from '../wire/probe-socket';
import { describeHandshake } from './describe';

/**
 * Why an honest connection was refused, and what to do when the refusal is the
 * server's limits counting the probe's own handshakes.
 */
export function explainHonestRefusal(handshake: Handshake): string {
  const received = describeHandshake(handshake);
  if (
    handshake.kind === 'refused' &&
    (handshake.code === 'RATE_LIMITED' || handshake.code === 'CONNECTION_LIMIT')
  ) {
    const wait =
      handshake.retryAfterMs === undefined
        ? ''
        : ` in ${Math.ceil(handshake.retryAfterMs / 1000)} s`;
    return `${received}: the server's connection limits count the probe's handshakes too; run again${wait}, or as another user (--claims)`;
  }
  return received;
}
