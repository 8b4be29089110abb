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
export {
  syncRevocationIndex,
  revocationIndexOf,
  RevocationIndex,
  /** @deprecated Sockets are no longer put in rooms: the same as `syncRevocationIndex`. */
  syncRevocationIndex as syncRevocationRooms,
} from './local-index';
export { REVOKE_EVENT, type RevocationMessage } from './revocation-message';
export { everyNamespace, type EveryNamespaceTarget } from './every-namespace';
