import type { ProbeContext } from '../context';
import { outcomeOf, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/** A handshake with no credential at all. */
export async function noTokenCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [
    await tokenAttempt(ctx, 'no token', undefined, ['AUTH_REQUIRED', 'AUTH_INVALID']),
  ];
  return outcomeOf(
    evidence,
    'a handshake without a token is refused',
    (miss) => `a handshake without a token gets ${miss.received}: anyone can connect`,
  );
}
