export {
  sessionExpiryGuard,
  type SessionExpiryGuard,
  type ExpiringNotice,
} from './session-expiry-guard';
export { SESSION_EXPIRY_GUARD_NAME, type RefreshReply } from './refresh';
export {
  DEFAULT_REVALIDATE_INTERVAL_MS,
  DEFAULT_WARN_BEFORE_MS,
  type AtExpiryPolicy,
  type RevalidateErrorPolicy,
  type SessionExpiryGuardOptions,
} from './options';
export {
  checkConnectionStateRecovery,
  type RecoveryCheckOptions,
  type RecoveryFinding,
} from './recovery-check';
