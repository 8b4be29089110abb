/**
 * The `exp` of a JWT in epoch milliseconds, read without verifying anything (the server
 * verifies; the client only wants to know when to refresh). `undefined` for anything
 * that is not a JWT with a numeric `exp`.
 */
export function jwtExpiresAt(token: unknown): number | undefined {
  if (typeof token !== 'string' || token.length > 16 * 1024) return undefined;
  const payload = token.split('.')[1];
  if (payload === undefined || payload.length === 0) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
