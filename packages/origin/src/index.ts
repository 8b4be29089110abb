export { originGuard } from './guard';
export {
  originEngineMiddleware,
  originAllowRequest,
  type AllowRequest,
  type EngineMiddleware,
} from './engine';
export {
  createOriginMatcher,
  type CorsOriginFunction,
  type OriginMatcher,
  type OriginMatcherOptions,
  type OriginVerdict,
} from './matcher';
export { type OriginEntry, type OriginPredicate } from './allowlist';
export { normalizeOrigin } from './normalize';
export {
  createOriginMatcherOptionsSpec,
  originAllowRequestOptionsSpec,
  originEngineMiddlewareOptionsSpec,
  originEngineOptionsSpec,
  originGuardOptionsSpec,
} from './option-specs';
export {
  DEFAULT_LOG_INTERVAL_MS,
  DEFAULT_MAX_TRACKED_ORIGINS,
  type OriginEngineOptions,
  type OriginGuardOptions,
} from './options';
