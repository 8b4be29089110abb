import type { ProbeContext } from '../context';
import type { Evidence } from '../report';

/** Where login endpoints commonly put the access token in their JSON answer. */
const TOKEN_FIELDS = ['token', 'accessToken', 'access_token'] as const;

function tokenOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  for (const field of TOKEN_FIELDS) {
    const value = (parsed as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** `name=value` of each `Set-Cookie`, joined for a `Cookie` header. */
function cookiesOf(setCookie: string[] | undefined): string | undefined {
  const pairs = (setCookie ?? [])
    .map((header) => header.split(';', 1)[0]?.trim() ?? '')
    .filter((pair) => pair.includes('='));
  return pairs.length === 0 ? undefined : pairs.join('; ');
}

/**
 * Signs in through the user's login endpoint: POSTs `loginBody` as JSON from the
 * allowed Origin, takes the access token from the answer (`token`, `accessToken` or
 * `access_token`) as the honest token, and keeps the cookies it sets for the logout.
 */
export async function signIn(ctx: ProbeContext, loginUrl: URL): Promise<Evidence> {
  const exchange = await ctx.http(loginUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ctx.options.origin },
    body: JSON.stringify(ctx.options.loginBody),
  });
  const attempt = `POST ${loginUrl.pathname}`;
  const received = `HTTP ${exchange.status}`;
  const token =
    exchange.status >= 200 && exchange.status < 300 ? tokenOf(exchange.body) : undefined;
  if (token === undefined) {
    return {
      attempt,
      received,
      ms: exchange.ms,
      verdict: 'fail',
      note: `no ${TOKEN_FIELDS.join(' / ')} in a 2xx JSON answer`,
    };
  }
  ctx.tokens.useToken(token);
  ctx.cookies = cookiesOf(exchange.headers['set-cookie']);
  return { attempt, received, ms: exchange.ms, verdict: 'pass' };
}
