import { HonestConnectionRefusedError, type ProbeContext } from '../context';
import { describeHandshake, type CheckOutcome } from '../judge';

/**
 * Offers `permessage-deflate` in an honest WebSocket upgrade and reads what the server
 * agreed to. Compressing secrets next to attacker-chosen text leaks them (CRIME/BREACH),
 * and inflating a small frame into a large one costs the server memory.
 */
export async function perMessageDeflateCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  // The upgrade alone: no Socket.io handshake, so no connection limit counts it.
  const handshake = await ctx.connect({
    origin: ctx.options.origin,
    offerDeflate: true,
    upgradeOnly: true,
  });
  if (handshake.kind !== 'upgraded') {
    throw new HonestConnectionRefusedError(
      `the honest upgrade offering compression was refused (${describeHandshake(handshake)})`,
    );
  }
  const accepted = handshake.extensions?.includes('permessage-deflate') === true;
  const evidence = [
    {
      attempt: 'upgrade offering permessage-deflate',
      received: handshake.extensions ?? 'no extension',
      ms: handshake.ms,
      verdict: accepted ? 'fail' : 'pass',
    } as const,
  ];
  return accepted
    ? {
        status: 'fail',
        summary: `the upgrade was answered with Sec-WebSocket-Extensions: ${handshake.extensions ?? ''}`,
        evidence,
      }
    : { status: 'pass', summary: 'permessage-deflate was offered and not accepted', evidence };
}
