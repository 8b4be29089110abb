export {
  logoutRevokeGuard,
  LOGOUT_REVOKE_GUARD_NAME,
  logoutRevokeGuardOptionsSpec,
  type LogoutRevokeGuard,
  type LogoutRevokeGuardOptions,
} from './logout-revoke-guard';
export {
  createDenylist,
  createDenylistOptionsSpec,
  Denylist,
  DEFAULT_MAX_TOKEN_LIFETIME_MS,
  type DenylistOptions,
  type RevokeUserOptions,
} from './denylist';
export {
  createRevoker,
  createRevokerOptionsSpec,
  type Revoker,
  type RevokerOptions,
  type RevocationTarget,
  type RevocationBroadcast,
  type RevocableRemoteSocket,
} from './revoker';
export {
  memoryDenylistStore,
  memoryDenylistStoreOptionsSpec,
  MemoryDenylistStore,
  type DenylistStore,
  type MemoryDenylistStoreOptions,
} from './store';
export {
  redisDenylistStore,
  redisDenylistStoreOptionsSpec,
  RedisDenylistStore,
  type RedisDenylistStoreOptions,
} from './redis-store';
export { syncRevocationRooms, revocationRooms, userRoom, sessionRoom, tokenRoom } from './rooms';
export { everyNamespace, type EveryNamespaceTarget } from './every-namespace';
