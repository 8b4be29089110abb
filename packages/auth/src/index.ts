export { authGuard, type AuthGuard } from './auth-guard';
export { createTokenVerifier, type TokenVerifier } from './verifier';
export {
  authGuardOptionsSpec,
  createTokenVerifierOptionsSpec,
  DEFAULT_CLOCK_TOLERANCE_MS,
  DEFAULT_MAX_TOKEN_BYTES,
  MAX_CLOCK_TOLERANCE_MS,
  type AuthGuardOptions,
  type AuthValidateContext,
  type AuthValidateHook,
  type HandshakeSettings,
  type TokenRules,
  type TokenVerifierOptions,
} from './options';
export { authorize } from './authorize';
export {
  authorizeOptionsSpec,
  authorizeRulesSpec,
  type AuthorizeOptions,
  type AuthorizePredicate,
  type AuthorizeRule,
  type AuthorizeRules,
} from './authorize-options';
export {
  recheckRecoveredSockets,
  recheckRecoveredSocketsOptionsSpec,
  type RecheckRecoveredOptions,
} from './recovery';
export {
  DEFAULT_TOKEN_SOURCES,
  DEFAULT_QUERY_PARAM,
  TOKEN_SOURCES,
  type TokenSource,
} from './token-sources';
export type { ClaimNames } from './user';
export type { PublicKeyInput, SecretInput } from './local-keys';
export {
  DEFAULT_JWKS_CACHE_MAX_AGE_MS,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_TIMEOUT_MS,
  type RemoteJwksOptions,
} from './remote-jwks';
export {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type JwtAlgorithm,
} from './algorithms';
