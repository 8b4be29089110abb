import type { ProbeContext } from '../context';
import { outcomeOf, type CheckOutcome } from '../judge';
import { originAttempt } from './origin-attempt';

/**
 * A handshake without `Origin`: browsers always send one on a WebSocket handshake, so
 * only scripts and native clients go without. Accepting it is a policy choice
 * (`allowMissingOrigin`); skip this check if your server makes that choice on purpose.
 */
export async function missingOriginCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [await originAttempt(ctx, undefined)];
  return outcomeOf(
    evidence,
    'a handshake without Origin is refused',
    (miss) =>
      `a handshake without Origin is accepted (${miss.received}); if native clients need that, skip this check (--skip missing-origin)`,
  );
}
