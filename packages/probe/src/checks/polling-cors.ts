import type { ProbeContext } from '../context';
import { outcomeOf, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Closes the Engine.IO session a successful polling handshake opened, so nothing lingers. */
async function closeSession(ctx: ProbeContext, pollingUrl: URL, body: string): Promise<void> {
  const sid = /^0(\{.*\})/.exec(body)?.[1];
  if (sid === undefined) return;
  try {
    const { sid: id } = JSON.parse(sid) as { sid?: unknown };
    if (typeof id !== 'string') return;
    const url = new URL(pollingUrl);
    url.searchParams.set('sid', id);
    await ctx.http(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '1' });
  } catch {
    // Best effort: the server drops the session after its ping timeout anyway.
  }
}

async function corsAttempt(ctx: ProbeContext, pollingUrl: URL, origin: string): Promise<Evidence> {
  const exchange = await ctx.http(pollingUrl, { method: 'GET', headers: { Origin: origin } });
  await closeSession(ctx, pollingUrl, exchange.body);
  const allowOrigin = header(exchange.headers['access-control-allow-origin']);
  const credentials = header(exchange.headers['access-control-allow-credentials']) === 'true';
  const granted = allowOrigin === '*' || allowOrigin === origin;
  const received =
    allowOrigin === undefined
      ? `HTTP ${exchange.status}, no CORS grant`
      : `HTTP ${exchange.status}, ACAO ${allowOrigin}${credentials ? ' + credentials' : ''}`;
  return {
    attempt: `polling handshake, Origin: ${origin}`,
    received,
    ms: exchange.ms,
    verdict: granted ? 'fail' : 'pass',
    ...(granted
      ? {
          note: credentials
            ? 'any site may read responses made with your users’ cookies'
            : 'any site may read polling responses',
        }
      : {}),
  };
}

/**
 * Opens a long-polling handshake as a foreign page (and as `Origin: null`) and reads the
 * CORS headers: `Access-Control-Allow-Origin: *`, or the foreign origin reflected, lets
 * other sites read the responses; with `Allow-Credentials: true`, with the user's cookies.
 */
export async function pollingCorsCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const pollingUrl = new URL(ctx.options.path, ctx.options.url);
  pollingUrl.search = '?EIO=4&transport=polling';
  const evidence = [
    await corsAttempt(ctx, pollingUrl, ctx.options.foreignOrigin),
    await corsAttempt(ctx, pollingUrl, 'null'),
  ];
  return outcomeOf(evidence, {
    pass: () => 'polling answers carried no CORS grant for other sites',
    fail: (miss) =>
      `a polling handshake from ${miss.attempt.replace(/^.*Origin: /, '')} got ${miss.received}`,
  });
}
