import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/**
 * The honest claims with `alg: none` and no signature: a verifier that trusts the
 * token's own header accepts anything anyone writes.
 */
export async function algNoneCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [await tokenAttempt(ctx, 'unsigned token (alg: none)', ctx.tokens.algNone())];
  return outcomeOf(evidence, {
    pass: (items) => `an unsigned (alg: none) token was ${refusals(items)}`,
    fail: (miss) => `an unsigned (alg: none) token ${miss.received}`,
  });
}
