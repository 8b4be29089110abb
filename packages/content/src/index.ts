export { contentGuard, CONTENT_GUARD_NAME, type ContentGuard } from './content-guard';
export { contentGuardOptionsSpec, type ContentGuardOptions, type ContentRules } from './options';
export type { ContentReason, RuleAction } from './rules/shapes';
export type { DuplicateRule } from './rules/duplicates';
export { normalizeText } from './normalize';
export { unsafePatternReason } from './rules/safe-regex';
export {
  replayGuard,
  replayGuardOptionsSpec,
  REPLAY_GUARD_NAME,
  type ReplayGuardOptions,
  type ReplayEventOptions,
} from './replay/replay-guard';
export {
  memoryReplayStore,
  redisReplayStore,
  type ReplayStore,
  type RedisReplayStoreOptions,
} from './replay/replay-store';
