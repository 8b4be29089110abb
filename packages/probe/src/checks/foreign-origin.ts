import { isIP } from 'node:net';
import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { originAttempt } from './origin-attempt';

/**
 * `https://app.example.com.portcullis-probe.invalid` for `https://app.example.com`: the
 * look-alike that `includes()` and unanchored patterns let through.
 */
export function lookAlikeOrigin(origin: string): string | undefined {
  const url = new URL(origin);
  if (isIP(url.hostname.replace(/^\[(.*)\]$/, '$1')) !== 0 || !url.hostname.includes('.')) {
    return undefined;
  }
  return `${url.protocol}//${url.hostname}.portcullis-probe.invalid${url.port === '' ? '' : `:${url.port}`}`;
}

/**
 * Cross-site WebSocket hijacking: a page on another site (and on a look-alike of the
 * allowed one) must not be able to open a socket with the user's credentials.
 */
export async function foreignOriginCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const origins = [ctx.options.foreignOrigin, lookAlikeOrigin(ctx.options.origin)].filter(
    (origin): origin is string => origin !== undefined,
  );
  const evidence = [];
  for (const origin of origins) evidence.push(await originAttempt(ctx, origin));
  return outcomeOf(evidence, {
    pass: (items) => `every foreign Origin was ${refusals(items)}`,
    fail: (miss) => `a handshake with ${miss.attempt} ${miss.received}`,
  });
}
