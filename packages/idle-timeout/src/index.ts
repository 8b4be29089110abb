export {
  idleTimeoutGuard,
  IDLE_TIMEOUT_GUARD_NAME,
  type IdleTimeoutGuard,
} from './idle-timeout-guard';
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_SLOW_READER_GRACE_MS,
  idleTimeoutGuardOptionsSpec,
  type IdleTimeoutGuardOptions,
} from './options';
