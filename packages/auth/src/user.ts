import { opt, type OptionSpec, type PortcullisUser } from '@portcullis/core';
import type { JWTPayload } from 'jose';
import type { ClaimKeeper } from './kept-claims';

/** Where the identity lives in your tokens. */
export interface ClaimNames {
  /** The user id. Default `sub`. A string, or an integer (turned into a string). */
  readonly id?: string;
  /**
   * The roles: an array of strings or a space-separated string (like OAuth's `scope`).
   * Default `roles`. A function reads nested claims, e.g. Keycloak's
   * `(claims) => claims.realm_access?.roles`. Absent means no roles.
   */
  readonly roles?: string | ((claims: Readonly<JWTPayload>) => unknown);
  /** Claims tried in order for the session id. Default `['sid', 'jti']`. */
  readonly sessionId?: string | readonly string[];
  /** The expiry, in seconds since the epoch. Default `exp`. */
  readonly expiresAt?: string;
  /** The token's own id, for revoking one token. Default `jti`. */
  readonly tokenId?: string;
  /** When the token was issued, in seconds since the epoch. Default `iat`. */
  readonly issuedAt?: string;
}

export interface ResolvedClaimNames {
  readonly id: string;
  readonly roles: string | ((claims: Readonly<JWTPayload>) => unknown);
  readonly sessionId: readonly string[];
  readonly expiresAt: string;
  readonly tokenId: string;
  readonly issuedAt: string;
}

/** Ids longer than this are refused: they end up in logs and rate-limit keys. */
const MAX_ID_LENGTH = 256;

const claimName = opt.string();

/** `claimNames`: each a non-empty claim name; `roles` may be a function. */
export const claimNamesSpec: OptionSpec = opt.object({
  id: claimName,
  roles: opt.union(claimName, opt.func()),
  sessionId: opt.union(claimName, opt.array(claimName, { minLength: 1 })),
  expiresAt: claimName,
  tokenId: claimName,
  issuedAt: claimName,
});

/** The claim names with their defaults (the spec has checked them). */
export function resolveClaimNames(names: ClaimNames = {}): ResolvedClaimNames {
  const sessionId = names.sessionId ?? ['sid', 'jti'];
  return {
    id: names.id ?? 'sub',
    roles: names.roles ?? 'roles',
    sessionId: typeof sessionId === 'string' ? [sessionId] : [...sessionId],
    expiresAt: names.expiresAt ?? 'exp',
    tokenId: names.tokenId ?? 'jti',
    issuedAt: names.issuedAt ?? 'iat',
  };
}

/** Why a verified token still cannot make a user; travels as `cause`, server side only. */
export class UnusableClaims extends Error {
  override readonly name = 'UnusableClaims';
}

function readId(value: unknown, claim: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new UnusableClaims(`the "${claim}" claim is missing, empty, too long or not a string`);
}

/** Shared by every user without roles: an empty array per socket would cost 32 bytes. */
const NO_ROLES: readonly string[] = Object.freeze([]);

function readRoles(value: unknown, keeper: ClaimKeeper): readonly string[] {
  if (value === undefined || value === null) return NO_ROLES;
  if (typeof value === 'string') {
    const roles = value.split(/\s+/).filter((role) => role.length > 0);
    return roles.length === 0 ? NO_ROLES : keeper.sharedRoles(roles);
  }
  if (Array.isArray(value) && value.every((role) => typeof role === 'string')) {
    return value.length === 0 ? NO_ROLES : keeper.sharedRoles(value as string[]);
  }
  throw new UnusableClaims('the roles claim is neither a string nor an array of strings');
}

/**
 * Builds the context's `user` from verified claims, keeping of them what `keeper`
 * says (`keepClaims`). Throws `UnusableClaims`.
 */
export function userFromClaims(
  claims: JWTPayload,
  names: ResolvedClaimNames,
  keeper: ClaimKeeper,
): PortcullisUser {
  const id = readId(claims[names.id], names.id);
  const roles = readRoles(
    typeof names.roles === 'function' ? names.roles(claims) : claims[names.roles],
    keeper,
  );
  let sessionId: string | undefined;
  for (const name of names.sessionId) {
    const value = claims[name];
    if (typeof value === 'string' && value.length > 0) {
      sessionId = value;
      break;
    }
  }
  const exp = claims[names.expiresAt];
  const tokenId = claims[names.tokenId];
  const iat = claims[names.issuedAt];
  // Every field in one literal, absent ones `undefined`: V8 then lays all of them out in
  // the object itself; fields added one by one afterwards would need a second array,
  // about 50 bytes more per authenticated socket.
  return {
    id,
    roles,
    sessionId,
    // What logout-revoke reads: the credential's id and issue time, never raw claims.
    tokenId:
      typeof tokenId === 'string' && tokenId.length > 0 && tokenId.length <= MAX_ID_LENGTH
        ? tokenId
        : undefined,
    issuedAt: typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : undefined,
    expiresAt: typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined,
    claims: keeper.claimsOf(claims),
  };
}
