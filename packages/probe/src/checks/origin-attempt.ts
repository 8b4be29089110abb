import { withBackoffNote } from '../backoff';
import type { ProbeContext } from '../context';
import { judgeHandshake } from '../judge';
import type { Evidence } from '../report';

/**
 * One handshake with the honest token from `origin` (`undefined`: no Origin header),
 * so the Origin is the only reason to refuse it. Any way of not letting it in counts:
 * a `connect_error`, an HTTP refusal before the WebSocket opens (403, Engine.IO's 400),
 * a close or a dropped connection.
 */
export async function originAttempt(
  ctx: ProbeContext,
  origin: string | undefined,
): Promise<Evidence> {
  const { result: handshake, backoff } = await ctx.connectRetried({
    origin,
    token: await ctx.tokens.honest(),
  });
  if (handshake.kind === 'connected') handshake.socket.close();
  const attempt = origin === undefined ? 'no Origin header' : `Origin: ${origin}`;
  return withBackoffNote(judgeHandshake(attempt, handshake, ctx.options.timeoutMs), backoff);
}
