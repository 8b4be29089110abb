/**
 * The demo's sign-in endpoints. The sign-in itself is an HttpOnly cookie this page
 * never sees; the access token (a short-lived JWT) lives in memory only, not in
 * localStorage, so a script injected into the page could not carry it away later.
 */
async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = response.status === 204 ? {} : await response.json().catch(() => ({}));
  return { status: response.status, ok: response.ok, reply };
}

/**
 * Signs in; `{ token, expiresAt, user }` or throws an Error with a sentence for the user.
 * `short`: a 30-second sign-in, to watch the page renew its token and then end it.
 */
export async function signIn(name, { short = false } = {}) {
  const { ok, status, reply } = await post('/login', short ? { name, short } : { name });
  if (ok) return reply;
  throw new Error(
    status === 400
      ? (reply.error?.message ?? 'That name is not accepted.')
      : 'Signing in failed; please try again.',
  );
}

/**
 * A fresh token for the current sign-in, or `undefined` when there is none (signed out,
 * or the sign-in ended). Network failures throw.
 */
export async function freshToken() {
  const { ok, status, reply } = await post('/token');
  // 204: this browser holds no sign-in (a first visit); 401: the sign-in has ended.
  if (status === 204 || status === 401) return undefined;
  if (ok) return reply;
  throw new Error(`The server answered ${status} when renewing the session.`);
}

export async function signOut() {
  await post('/logout');
}
