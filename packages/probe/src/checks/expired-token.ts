import type { ProbeContext } from '../context';
import { notApplicable, outcomeOf, refusals, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/** A correctly signed token that expired an hour ago (far beyond any clock tolerance). */
export async function expiredTokenCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const token = await ctx.tokens.expired();
  if (token === undefined) {
    return notApplicable(
      'needs the test key (--hs256-secret) to sign an expired token, or one given with --expired-token',
    );
  }
  const evidence = [await tokenAttempt(ctx, 'expired token, valid signature', token)];
  return outcomeOf(evidence, {
    pass: (items) => `an expired token was ${refusals(items)}`,
    fail: (miss) => `an expired token ${miss.received}`,
  });
}
