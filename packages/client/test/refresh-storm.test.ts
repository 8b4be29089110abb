import { waitFor } from '@portcullis/testing';
import { guardClient, type RefreshResult, type SessionEnding } from '../src';
import { browserLikeClient, eventually, guardedServer, token } from './helpers';

/**
 * Issue #19, item 4: the identity provider caps every token at the end of the sign-in,
 * so near the end a refresh cannot move the expiry. The client used to wait half the
 * time left after each such refresh: ever shorter waits, 19 token requests in the last
 * second. Now automatic refreshes are at least `minRefreshIntervalMs` apart and stop
 * once a refresh did not move the expiry, and the app hears `onSessionEnding`.
 */
const TOKEN_S = 3;
const SIGN_IN_MS = 9_000;
const FLOOR_MS = 1_000;
const TEST_TIMEOUT_MS = 40_000;

/**
 * A token endpoint: 3 s tokens, never past the end of the sign-in, and none after it
 * (the user must sign in again). Counts its calls.
 */
function tokenEndpoint(sub: string, sid: string) {
  const endS = Math.floor((Date.now() + SIGN_IN_MS) / 1000);
  const calls: number[] = [];
  return {
    endMs: endS * 1000,
    calls,
    first: () => token(sub, { sid, expiresAtS: Math.floor(Date.now() / 1000) + TOKEN_S }),
    getToken: async (): Promise<string> => {
      calls.push(Date.now());
      if (Date.now() >= endS * 1000) throw new Error('signed out: sign in again');
      const nowS = Math.floor(Date.now() / 1000);
      return token(sub, { sid, expiresAtS: Math.min(nowS + TOKEN_S, endS) });
    },
  };
}

/** The shortest gap between two calls. */
function closestGapMs(calls: readonly number[]): number {
  let closest = Infinity;
  for (let index = 1; index < calls.length; index++) {
    closest = Math.min(closest, (calls[index] as number) - (calls[index - 1] as number));
  }
  return closest;
}

function split(calls: readonly number[], endMs: number) {
  return {
    during: calls.filter((at) => at < endMs),
    after: calls.filter((at) => at >= endMs),
  };
}

describe('token refresh near the end of a sign-in', () => {
  it(
    'on its own timer: spaced by the floor, stops when the expiry no longer moves, tells the app',
    async () => {
      const { server } = await guardedServer({ sessionExpiry: { warnBeforeMs: false } });
      const endpoint = tokenEndpoint('ann', 'storm-1');
      const socket = browserLikeClient(server.url, { auth: { token: await endpoint.first() } });
      const refreshes: RefreshResult[] = [];
      const endings: SessionEnding[] = [];
      guardClient(socket, {
        getToken: endpoint.getToken,
        refreshBeforeMs: 1_500,
        minRefreshIntervalMs: FLOOR_MS,
        onRefresh: (result) => refreshes.push(result),
        onSessionEnding: (info) => endings.push(info),
      });
      await waitFor(socket, 'connect');
      await eventually(() => endings.length > 0, SIGN_IN_MS + 5_000, 'onSessionEnding');
      const callsAtEnding = endpoint.calls.length;
      // Past the end of the sign-in: nothing more was asked of the token endpoint.
      await eventually(() => Date.now() > endpoint.endMs + 1_000, SIGN_IN_MS + 5_000, 'the end');

      expect(endings).toEqual([{ expiresAt: endpoint.endMs }]);
      const { during, after } = split(endpoint.calls, endpoint.endMs);
      expect(during).toHaveLength(callsAtEnding);
      expect(during.length).toBeGreaterThanOrEqual(2);
      expect(during.length).toBeLessThanOrEqual(Math.ceil(SIGN_IN_MS / FLOOR_MS) + 1);
      expect(closestGapMs(during)).toBeGreaterThanOrEqual(FLOOR_MS - 50);
      expect(refreshes.slice(0, callsAtEnding).every((result) => result.ok)).toBe(true);
      // After the end, only the reconnection after SESSION_EXPIRED asks (bounded, refused).
      expect(after.length).toBeLessThanOrEqual(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'on the server’s warnings, which come again after every refresh: spaced by the floor, then ignored',
    async () => {
      // warnBeforeMs (60 s) exceeds the tokens' life: the server warns at once, and again
      // after each refresh that leaves the expiry within the warning window.
      const { server } = await guardedServer();
      const endpoint = tokenEndpoint('ben', 'storm-2');
      const socket = browserLikeClient(server.url, { auth: { token: await endpoint.first() } });
      let warnings = 0;
      socket.on('portcullis:expiring', () => warnings++);
      const endings: SessionEnding[] = [];
      guardClient(socket, {
        getToken: endpoint.getToken,
        minRefreshIntervalMs: FLOOR_MS,
        onSessionEnding: (info) => endings.push(info),
      });
      await waitFor(socket, 'connect');
      await eventually(() => endings.length > 0, SIGN_IN_MS + 5_000, 'onSessionEnding');
      const callsAtEnding = endpoint.calls.length;
      await eventually(() => Date.now() > endpoint.endMs + 1_000, SIGN_IN_MS + 5_000, 'the end');

      expect(endings).toEqual([{ expiresAt: endpoint.endMs }]);
      const { during, after } = split(endpoint.calls, endpoint.endMs);
      expect(warnings).toBeGreaterThanOrEqual(during.length);
      expect(during).toHaveLength(callsAtEnding);
      expect(during.length).toBeLessThanOrEqual(Math.ceil(SIGN_IN_MS / FLOOR_MS) + 1);
      expect(closestGapMs(during)).toBeGreaterThanOrEqual(FLOOR_MS - 50);
      expect(after.length).toBeLessThanOrEqual(2);
    },
    TEST_TIMEOUT_MS,
  );
});
