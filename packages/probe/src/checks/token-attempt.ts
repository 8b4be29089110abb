import type { ProbeContext } from '../context';
import { judgeRefusedHandshake } from '../judge';
import type { Evidence } from '../report';

/**
 * One handshake from the allowed Origin with a bad token (or none), so the token is
 * the only reason to refuse it. Only a `connect_error` can say why: an HTTP-level
 * refusal does not count, the token travels in the CONNECT packet.
 */
export async function tokenAttempt(
  ctx: ProbeContext,
  attempt: string,
  token: string | undefined,
  codes: readonly string[],
): Promise<Evidence> {
  const handshake = await ctx.connect({ origin: ctx.options.origin, token });
  if (handshake.kind === 'connected') handshake.socket.close();
  return judgeRefusedHandshake(
    attempt,
    handshake,
    { codes, httpRefusalCounts: false },
    ctx.options.timeoutMs,
  );
}
