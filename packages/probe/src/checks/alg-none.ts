import type { ProbeContext } from '../context';
import { outcomeOf, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/**
 * The honest claims with `alg: none` and no signature: a verifier that trusts the
 * token's own header accepts anything anyone writes.
 */
export async function algNoneCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [
    await tokenAttempt(ctx, 'unsigned token (alg: none)', ctx.tokens.algNone(), ['AUTH_INVALID']),
  ];
  return outcomeOf(
    evidence,
    'an unsigned token is refused',
    (miss) => `an unsigned (alg: none) token gets ${miss.received}: anyone can be anyone`,
  );
}
