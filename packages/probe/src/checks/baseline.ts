import type { ProbeContext } from '../context';
import { signIn } from '../hooks/sign-in';
import {
  describeHandshake,
  explainHonestRefusal,
  handshakeOutcome,
  type CheckOutcome,
} from '../judge';
import type { Evidence } from '../report';

/** Where the honest token came from, in words for the report. */
export function tokenSource(ctx: ProbeContext): string {
  switch (ctx.tokens.origin) {
    case 'given':
      return ctx.options.loginUrl === undefined ? 'given token' : 'login token';
    case 'made':
      return 'made token';
    case 'none':
      return 'no token';
  }
}

/**
 * An honest client (allowed Origin, good token) must get in; otherwise every refusal
 * the other checks see could be that same refusal, and a "pass" would mean nothing.
 */
export async function baselineCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { loginUrl } = ctx.options;
  const login = loginUrl === undefined ? undefined : await signIn(ctx, loginUrl);
  if (login !== undefined && login.verdict !== 'pass') {
    return {
      status: 'fail',
      summary: `the login answered ${login.received} without a token: check --login-url and --login-body`,
      evidence: [login],
    };
  }
  const handshake = await ctx.connectHonest();
  const received = describeHandshake(handshake);
  const evidence: Evidence[] = [
    ...(login === undefined ? [] : [login]),
    {
      attempt: `Origin: ${ctx.options.origin} + ${tokenSource(ctx)}`,
      received,
      outcome: handshakeOutcome(handshake),
      ms: handshake.ms,
      verdict: handshake.kind === 'connected' ? 'pass' : 'fail',
    },
  ];
  if (handshake.kind === 'connected') {
    ctx.share(handshake.socket);
    return {
      status: 'pass',
      summary: 'an honest client connects, so the refusals below are meaningful',
      evidence,
    };
  }
  const limited = handshake.kind === 'refused' && /_LIMIT/.test(handshake.code ?? '');
  return {
    status: 'fail',
    summary: limited
      ? `an honest client is refused (${explainHonestRefusal(handshake)}); until then no other verdict means anything`
      : `an honest client is refused (${received}): give the origin your server allows (--origin) and a valid token (--token or --hs256-secret); until then no other verdict means anything`,
    evidence,
  };
}
