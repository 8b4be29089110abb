import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { tokenAttempt } from './token-attempt';

/** The honest claims signed with a key the server has never seen, same algorithm. */
export async function wrongKeyCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { token, algorithm } = await ctx.tokens.wrongKey();
  const evidence = [await tokenAttempt(ctx, `${algorithm} token signed with another key`, token)];
  return outcomeOf(evidence, {
    pass: (items) => `a token signed with another key was ${refusals(items)}`,
    fail: (miss) => `a token signed with another key ${miss.received}`,
  });
}
