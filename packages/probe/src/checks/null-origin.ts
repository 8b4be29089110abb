import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { originAttempt } from './origin-attempt';

/**
 * `Origin: null` comes from sandboxed iframes, `file://` pages and some redirects, so
 * any site can produce it: allowing it is allowing everyone.
 */
export async function nullOriginCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const evidence = [await originAttempt(ctx, 'null')];
  return outcomeOf(evidence, {
    pass: (items) => `Origin: null was ${refusals(items)}`,
    fail: (miss) => `a handshake with Origin: null ${miss.received}`,
  });
}
