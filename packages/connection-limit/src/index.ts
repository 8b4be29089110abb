export {
  connectionLimitGuard,
  type ConnectionLimitGuard,
  type ConnectionLimitStats,
} from './connection-limit-guard';
export {
  connectionLimitGuardOptionsSpec,
  type ConnectionLimitGuardOptions,
  type PerUserPolicy,
  type StoreErrorPolicy,
} from './options';
export { type LimitName } from './refusals';
