import type { GuardErrorInfo } from './guard-error-info';

/** Why a refresh did not renew the session. */
export type RefreshFailure =
  /** no `getToken` was given */
  | 'no-token-source'
  /** `getToken` threw, rejected, or gave something other than a non-empty string */
  | 'token-unavailable'
  /** the server answered with an error (`error` holds it: AUTH_INVALID, AUTH_EXPIRED, …) */
  | 'refused'
  /** no answer within `refreshTimeoutMs` (or the connection closed meanwhile) */
  | 'timeout'
  /** `dispose()` was called meanwhile */
  | 'disposed';

export type RefreshResult =
  | {
      readonly ok: true;
      /** The new expiry (epoch ms) the server accepted; `null` when unknown or none. */
      readonly expiresAt: number | null;
      /**
       * `true`: the server took the token in-band, the connection carries on. `false`:
       * not connected, so only `socket.auth` was updated for the next handshake.
       */
      readonly sent: boolean;
    }
  | { readonly ok: false; readonly reason: RefreshFailure; readonly error?: GuardErrorInfo };
