import type { ProbeContext } from '../context';
import { outcomeOf, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/** The honest claims signed with a key the server has never seen, same algorithm. */
export async function wrongKeyCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { token, algorithm } = await ctx.tokens.wrongKey();
  const evidence = [
    await tokenAttempt(ctx, `${algorithm} token signed with another key`, token, ['AUTH_INVALID']),
  ];
  return outcomeOf(
    evidence,
    'a token signed with another key is refused',
    (miss) => `a token signed with another key gets ${miss.received}: the signature is not checked`,
  );
}
