export {
  logoutRevokeGuard,
  LOGOUT_REVOKE_GUARD_NAME,
  type LogoutRevokeGuard,
  type LogoutRevokeGuardOptions,
} from './logout-revoke-guard';
export {
  createDenylist,
  Denylist,
  DEFAULT_MAX_TOKEN_LIFETIME_MS,
  type DenylistOptions,
  type RevokeUserOptions,
} from './denylist';
export {
  createRevoker,
  type Revoker,
  type RevokerOptions,
  type RevocationTarget,
  type RevocationBroadcast,
  type RevocableRemoteSocket,
} from './revoker';
export {
  memoryDenylistStore,
  MemoryDenylistStore,
  type DenylistStore,
  type MemoryDenylistStoreOptions,
} from './store';
export {
  redisDenylistStore,
  RedisDenylistStore,
  type RedisDenylistClient,
  type RedisDenylistStoreOptions,
  type IoRedisLikeClient,
  type NodeRedisLikeClient,
} from './redis-store';
export { syncRevocationRooms, revocationRooms, userRoom, sessionRoom, tokenRoom } from './rooms';
export { everyNamespace, type EveryNamespaceTarget } from './every-namespace';
