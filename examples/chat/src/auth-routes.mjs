import { createOriginMatcher, normalizeIp, securityEvents } from 'portcullis';
import { SESSION_COOKIE, clearedSessionCookie, readCookie, sessionCookie } from './cookies.mjs';
import { readJsonBody, sendJson, sendStatus } from './http-io.mjs';
import { newSession } from './sessions.mjs';
import { USER_NAME, rolesFor } from './tokens.mjs';

/**
 * The demo's stand-in identity provider, three JSON endpoints:
 * - `POST /login { name, short? }`: signs in (any well-formed name; `admin` is an
 *   admin; `short: true` for a 30-second sign-in, to watch one end), sets the HttpOnly
 *   sign-in cookie, answers an access token;
 * - `POST /token`: a fresh access token for the cookie's sign-in (page load, refresh);
 *   204 when the browser holds no sign-in (a first visit: nothing to renew, no error);
 * - `POST /logout`: ends the sign-in and revokes its sockets on every node.
 *
 * The cookie rides along on every request to this host, whichever page sends it, and
 * SameSite does not tell ports apart. So each endpoint first checks `Origin` against the
 * same allowlist as the sockets: a page elsewhere cannot mint tokens or log users out.
 */
/** The "short session" of the sign-in form: long enough to look around, short enough to watch it end. */
export const SHORT_SESSION_MS = 30_000;

export function createAuthRoutes({ origins, sessions, issueToken, revocation, sessionTtlMs }) {
  const matcher = createOriginMatcher({ origins });

  const allowedOrigin = async (request) =>
    (await matcher.check(request.headers.origin, request.headers['sec-fetch-site'])) === 'allowed';

  const refuseOrigin = (request, response) => {
    securityEvents.emit({
      type: 'suspicious',
      code: 'ORIGIN_REJECTED',
      at: Date.now(),
      ip: normalizeIp(request.socket.remoteAddress) ?? 'unknown',
      ...(typeof request.headers.origin === 'string' && request.headers.origin.length < 200
        ? { origin: request.headers.origin }
        : {}),
      guard: 'chat-http',
      // Whether the browser sent a sign-in cookie along (never the cookie itself): a
      // refused request with one is a signed-in user's browser being used by another site.
      detail: {
        pattern: 'cross_origin_request',
        path: (request.url ?? '').slice(0, 64),
        signedInBrowser: readCookie(request, SESSION_COOKIE) !== undefined,
      },
    });
    sendJson(response, 403, {
      error: { code: 'ORIGIN_REJECTED', message: 'This page may not use this server.' },
    });
  };

  const signedOut = (response) =>
    sendJson(response, 401, {
      error: { code: 'AUTH_REQUIRED', message: 'Not signed in, or the sign-in has ended.' },
    });

  const tokenReply = async (response, record, headers = {}) => {
    const issued = await issueToken(record);
    if (issued === undefined) {
      signedOut(response);
      return;
    }
    sendJson(
      response,
      200,
      {
        token: issued.token,
        expiresAt: issued.expiresAt,
        user: { id: record.userId, roles: record.roles },
      },
      headers,
    );
  };

  const secure = (request) => request.socket.encrypted === true;

  async function login(request, response) {
    const body = await readJsonBody(request);
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (!USER_NAME.test(name)) {
      sendJson(response, 400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Pick a name of 1 to 24 letters, digits, "_" or "-".',
        },
      });
      return;
    }
    const ttlMs = body?.short === true ? Math.min(SHORT_SESSION_MS, sessionTtlMs) : sessionTtlMs;
    const { secret, record } = newSession(name, rolesFor(name), ttlMs);
    await sessions.save(secret, record);
    await tokenReply(response, record, {
      'Set-Cookie': sessionCookie(secret, ttlMs, { secure: secure(request) }),
    });
  }

  async function token(request, response) {
    const secret = readCookie(request, SESSION_COOKIE);
    if (secret === undefined) {
      sendStatus(response, 204);
      return;
    }
    const record = await sessions.find(secret);
    if (record === undefined) {
      signedOut(response);
      return;
    }
    await tokenReply(response, record);
  }

  async function logout(request, response) {
    const secret = readCookie(request, SESSION_COOKIE);
    const record = secret === undefined ? undefined : await sessions.remove(secret);
    // Every socket of this sign-in, on every node, gets SESSION_REVOKED and is closed;
    // its tokens are refused at the handshake until they would have expired anyway.
    if (record !== undefined) await revocation.revokeSession(record.sid);
    sendStatus(response, 204, { 'Set-Cookie': clearedSessionCookie() });
  }

  const routes = { '/login': login, '/token': token, '/logout': logout };

  /** Answers the request and returns `true` when it is one of these endpoints. */
  return async function handleAuthRoute(request, response) {
    const path = (request.url ?? '').split('?')[0];
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) return false;
    if (request.method !== 'POST') {
      sendStatus(response, 405, { Allow: 'POST' });
      return true;
    }
    if (!(await allowedOrigin(request))) {
      refuseOrigin(request, response);
      return true;
    }
    await route(request, response);
    return true;
  };
}
