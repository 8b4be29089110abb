import { withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { judgeHandshake } from '../judge';
import type { Evidence } from '../report';

/**
 * One handshake from the allowed Origin with a bad token (or none), so the token is
 * the only reason to refuse it. It passes when the socket does not connect, whatever
 * the server calls its refusal.
 */
export async function tokenAttempt(
  ctx: ProbeContext,
  attempt: string,
  token: string | undefined,
): Promise<Evidence> {
  const { result: handshake, backoff } = await ctx.connectRetried({
    origin: ctx.options.origin,
    token,
  });
  if (handshake.kind === 'connected') handshake.socket.close();
  return withBackoffNote(judgeHandshake(attempt, handshake, ctx.options.timeoutMs), backoff);
}
