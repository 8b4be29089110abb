import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/** A handshake with no credential at all. */
export async function noTokenCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [await tokenAttempt(ctx, 'no token', undefined)];
  return outcomeOf(evidence, {
    pass: (items) => `a handshake without a token was ${refusals(items)}`,
    fail: (miss) => `a handshake without a token ${miss.received}`,
  });
}
