export {
  sessionExpiryGuard,
  type SessionExpiryGuard,
  type ExpiringNotice,
} from './session-expiry-guard';
export { SESSION_EXPIRY_GUARD_NAME, type RefreshReply } from './refresh';
export {
  DEFAULT_REVALIDATE_INTERVAL_MS,
  DEFAULT_WARN_BEFORE_MS,
  sessionExpiryGuardOptionsSpec,
  type AtExpiryPolicy,
  type RevalidateErrorPolicy,
  type SessionExpiryGuardOptions,
} from './options';
export type { DroppedUser, SessionFields } from './session-state';
export {
  checkConnectionStateRecovery,
  checkConnectionStateRecoveryOptionsSpec,
  type RecoveryCheckOptions,
  type RecoveryFinding,
} from './recovery-check';
