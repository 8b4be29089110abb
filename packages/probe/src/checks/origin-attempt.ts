import type { ProbeContext } from '../context';
import { judgeRefusedHandshake } from '../judge';
import type { Evidence } from '../report';

/**
 * One handshake with a bad Origin and an otherwise honest request (good token), so the
 * Origin is the only reason to refuse it. Origin guards may answer at the HTTP level
 * (403, or Engine.IO's 400 for a refused upgrade): that counts as a refusal.
 */
export async function originAttempt(
  ctx: ProbeContext,
  origin: string | undefined,
): Promise<Evidence> {
  const handshake = await ctx.connect({ origin, token: await ctx.tokens.honest() });
  if (handshake.kind === 'connected') handshake.socket.close();
  return judgeRefusedHandshake(
    origin === undefined ? 'no Origin header' : `Origin: ${origin}`,
    handshake,
    { codes: ['ORIGIN_REJECTED'], httpRefusalCounts: true },
    ctx.options.timeoutMs,
  );
}
