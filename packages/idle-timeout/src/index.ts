export {
  idleTimeoutGuard,
  IDLE_TIMEOUT_GUARD_NAME,
  type IdleTimeoutGuard,
} from './idle-timeout-guard';
export { DEFAULT_IDLE_TIMEOUT_MS, type IdleTimeoutGuardOptions } from './options';
