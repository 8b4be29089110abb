export { authGuard, type AuthGuardOptions } from './auth-guard';
export {
  createTokenVerifier,
  DEFAULT_CLOCK_TOLERANCE_MS,
  DEFAULT_MAX_TOKEN_BYTES,
  MAX_CLOCK_TOLERANCE_MS,
  type AuthValidateContext,
  type AuthValidateHook,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './verifier';
export {
  authorize,
  type AuthorizeOptions,
  type AuthorizePredicate,
  type AuthorizeRule,
  type AuthorizeRules,
} from './authorize';
export { recheckRecoveredSockets, type RecheckRecoveredOptions } from './recovery';
export {
  DEFAULT_TOKEN_SOURCES,
  DEFAULT_QUERY_PARAM,
  TOKEN_SOURCES,
  type TokenSource,
} from './token-sources';
export type { ClaimNames } from './user';
export type { PublicKeyInput, SecretInput } from './local-keys';
export type { RemoteJwksOptions } from './remote-jwks';
export {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type JwtAlgorithm,
} from './algorithms';
