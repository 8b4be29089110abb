import type { ProbeContext } from '../context';
import { notApplicable, outcomeOf, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/** A correctly signed token that expired an hour ago (far beyond any clock tolerance). */
export async function expiredTokenCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const token = await ctx.tokens.expired();
  if (token === undefined) {
    return notApplicable(
      'needs the test key (--hs256-secret) to sign an expired token, or one given with --expired-token',
    );
  }
  const evidence = [
    await tokenAttempt(ctx, 'expired token, valid signature', token, [
      'AUTH_EXPIRED',
      'AUTH_INVALID',
    ]),
  ];
  return outcomeOf(
    evidence,
    'an expired token is refused',
    (miss) => `an expired token gets ${miss.received}: a leaked token works forever`,
  );
}
