import type { ProbeContext } from '../context';
import { outcomeOf, type CheckOutcome } from '../judge';
import { originAttempt } from './origin-attempt';

/**
 * `Origin: null` comes from sandboxed iframes, `file://` pages and some redirects, so
 * any site can produce it: allowing it is allowing everyone.
 */
export async function nullOriginCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [await originAttempt(ctx, 'null')];
  return outcomeOf(
    evidence,
    'Origin: null is refused',
    (miss) =>
      `Origin: null is accepted (${miss.received}): any site can send it from a sandboxed iframe`,
  );
}
