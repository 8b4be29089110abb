export { portcullis, type Portcullis } from './portcullis';
export {
  type PortcullisOptions,
  type OriginOptions,
  type AuthorizeSettings,
  type ValidateSettings,
} from './options';
export { secureServerOptions, type SecureServerOptionsInput } from './server-options';
export {
  installSecurityHeaders,
  cameOverTls,
  DEFAULT_CSP,
  DEFAULT_HSTS,
  type SecurityHeadersOptions,
} from './security-headers';
export { requireTlsGuard } from './require-tls';
export {
  findDangerousSettings,
  reportDangerousSettings,
  type StartupCheckContext,
  type StartupWarning,
} from './startup-check';

// Every guard, for use alone or to compose by hand.
export * from '@portcullis/core';
export * from '@portcullis/origin';
export * from '@portcullis/auth';
export * from '@portcullis/rate-limit';
export {
  connectionLimitGuard,
  type ConnectionLimitGuard,
  type ConnectionLimitGuardOptions,
  type ConnectionLimitStats,
  type PerUserPolicy,
} from '@portcullis/connection-limit';
export * from '@portcullis/size-limit';
export * from '@portcullis/validate';
export * from '@portcullis/sanitize';
export * from '@portcullis/session-expiry';
export * from '@portcullis/logout-revoke';
export * from '@portcullis/rooms';
export * from '@portcullis/content';
export type { PresetRoomsOptions } from './rooms-options';
export * from '@portcullis/idle-timeout';
export * from '@portcullis/audit';
