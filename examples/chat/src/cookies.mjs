/** The sign-in cookie: HttpOnly (page scripts never see it), SameSite=Strict, whole site. */
export const SESSION_COOKIE = 'chat_session';

/** The value of one cookie of a request, or `undefined`. */
export function readCookie(request, name) {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * `Set-Cookie` for the sign-in. `Secure` is added when the page came over TLS; this demo
 * serves plain HTTP on the loopback address, which browsers treat as a secure context.
 */
export function sessionCookie(secret, maxAgeMs, { secure }) {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return [
    `${SESSION_COOKIE}=${secret}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAge}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export const clearedSessionCookie = () =>
  `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
