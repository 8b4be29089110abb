export { sizeLimitGuard, type SizeLimitGuard } from './size-limit-guard';
export {
  DEFAULT_LIMITS_EVENT,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  HARD_MAX_DEPTH,
  eventSizeLimitsSpec,
  sizeLimitGuardOptionsSpec,
  type EventSizeLimits,
  type SizeLimitGuardOptions,
  type StructureLimitOptions,
} from './options';
export { type PublicEventLimits, type PublicLimits } from './public-limits';
export {
  checkServerOptions,
  recommendedMaxHttpBufferSize,
  type LimitsSource,
  type ServerOptionWarning,
  type ServerOptionWarningCode,
} from './server-options';
