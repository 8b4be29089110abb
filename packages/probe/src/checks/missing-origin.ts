import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { originAttempt } from './origin-attempt';

/**
 * A handshake without `Origin`: browsers always send one on a WebSocket handshake, so
 * only scripts and native clients go without. Accepting it is a policy choice
 * (`allowMissingOrigin`); skip this check if your server makes that choice on purpose.
 */
export async function missingOriginCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [await originAttempt(ctx, undefined)];
  return outcomeOf(evidence, {
    pass: (items) => `a handshake without Origin was ${refusals(items)}`,
    fail: (miss) => `a handshake without Origin ${miss.received}`,
  });
}
