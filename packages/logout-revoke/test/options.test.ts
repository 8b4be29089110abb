import { isPortcullisConfigError, type PortcullisConfigError } from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import {
  createDenylist,
  createDenylistOptionsSpec,
  createRevoker,
  createRevokerOptionsSpec,
  logoutRevokeGuard,
  logoutRevokeGuardOptionsSpec,
  memoryDenylistStore,
  memoryDenylistStoreOptionsSpec,
  redisDenylistStore,
  redisDenylistStoreOptionsSpec,
  type DenylistOptions,
  type LogoutRevokeGuardOptions,
  type MemoryDenylistStoreOptions,
  type RedisDenylistStoreOptions,
  type RevokerOptions,
} from '../src';

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** Option objects with keys the types do not know, as a user's typo would be. */
const loose = <T>(value: Record<string, unknown>): T => value as T;

const ioredisLike = { call: () => Promise.resolve(null), status: 'ready' };
const target = { in: () => ({}) } as unknown as RevokerOptions['target'];

describe('logout-revoke options', () => {
  it.each<[string, () => unknown, string, string]>([
    [
      'logoutRevokeGuard',
      () => logoutRevokeGuard(loose<LogoutRevokeGuardOptions>({ onStoreEror: 'allow' })),
      'onStoreEror',
      'onStoreError',
    ],
    [
      'createDenylist',
      () => createDenylist(loose<DenylistOptions>({ maxTokenLifetimMs: 1000 })),
      'maxTokenLifetimMs',
      'maxTokenLifetimeMs',
    ],
    [
      'memoryDenylistStore',
      () => memoryDenylistStore(loose<MemoryDenylistStoreOptions>({ nw: Date.now })),
      'nw',
      'now',
    ],
    [
      'redisDenylistStore',
      () => redisDenylistStore(ioredisLike, loose<RedisDenylistStoreOptions>({ prefx: 'x:' })),
      'prefx',
      'prefix',
    ],
    [
      'redisDenylistStore',
      () =>
        redisDenylistStore(ioredisLike, loose<RedisDenylistStoreOptions>({ storeTimeotMs: 100 })),
      'storeTimeotMs',
      'storeTimeoutMs',
    ],
    [
      'createRevoker',
      () =>
        createRevoker(
          loose<RevokerOptions>({ target, denylist: createDenylist(), disconectEvent: 'bye' }),
        ),
      'disconectEvent',
      'disconnectEvent',
    ],
  ])('%s refuses a misspelt key with its path and the nearest one', (factory, run, path, near) => {
    const error = configError(run);
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.path).toBe(path);
    expect(error.message).toBe(`${factory}: ${path}: unknown option, did you mean ${near}?`);
  });

  it("refuses failOpen, saying it is onStoreError: 'allow' now", () => {
    const error = configError(() =>
      logoutRevokeGuard(loose<LogoutRevokeGuardOptions>({ failOpen: true })),
    );
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.path).toBe('failOpen');
    expect(error.suggestion).toBe('onStoreError');
    expect(error.message).toBe(
      "logoutRevokeGuard: failOpen: unknown option (failOpen: true is now onStoreError: 'allow'; the default stays 'deny'), did you mean onStoreError?",
    );
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'an unknown store policy',
      () => logoutRevokeGuard({ onStoreError: 'retry' as 'allow' }),
      /^logoutRevokeGuard: onStoreError: must be "deny" or "allow"; got a string\.$/,
    ],
    [
      'a denylist that is not one',
      () => logoutRevokeGuard({ denylist: {} as never }),
      /^logoutRevokeGuard: denylist: must be a denylist from createDenylist/,
    ],
    [
      'a store that is not one',
      () => createDenylist({ store: { getMany: () => [] } as never }),
      /^createDenylist: store: must be a DenylistStore/,
    ],
    [
      'something else as the Redis client',
      () => redisDenylistStore({} as never),
      /^redisDenylistStore: client: must be an ioredis client/,
    ],
    [
      'a store timeout of 0',
      () => redisDenylistStore(ioredisLike, { storeTimeoutMs: 0 }),
      /^redisDenylistStore: storeTimeoutMs: must be a number of milliseconds ≥ 1; got 0\.$/,
    ],
    [
      'a revoker without a target',
      () => createRevoker({ denylist: createDenylist() } as RevokerOptions),
      /^createRevoker: target: is required/,
    ],
    [
      'an empty list of targets',
      () => createRevoker({ target: [], denylist: createDenylist() }),
      /^createRevoker: target: must be a Socket\.io server or namespace/,
    ],
  ])('refuses %s with the path and the fix', (_name, run, message) => {
    expect(configError(run).message).toMatch(message);
  });

  it('exports the spec each factory checks with: exactly the keys of its options type', () => {
    // Each literal must name every key of its type; each spec must hold the same keys.
    const guard: Record<keyof LogoutRevokeGuardOptions, true> = {
      denylist: true,
      onStoreError: true,
    };
    const denylist: Record<keyof DenylistOptions, true> = {
      store: true,
      maxTokenLifetimeMs: true,
      now: true,
    };
    const memory: Record<keyof MemoryDenylistStoreOptions, true> = { now: true };
    const redis: Record<keyof RedisDenylistStoreOptions, true> = {
      prefix: true,
      storeTimeoutMs: true,
    };
    const revoker: Record<keyof RevokerOptions, true> = {
      target: true,
      denylist: true,
      disconnectEvent: true,
    };
    const keysOf = (spec: { fields?: Readonly<Record<string, unknown>> }): string[] =>
      Object.keys(spec.fields ?? {}).sort();
    expect(keysOf(logoutRevokeGuardOptionsSpec)).toEqual(Object.keys(guard).sort());
    expect(keysOf(createDenylistOptionsSpec)).toEqual(Object.keys(denylist).sort());
    expect(keysOf(memoryDenylistStoreOptionsSpec)).toEqual(Object.keys(memory).sort());
    expect(keysOf(redisDenylistStoreOptionsSpec)).toEqual(Object.keys(redis).sort());
    expect(keysOf(createRevokerOptionsSpec)).toEqual(Object.keys(revoker).sort());
  });
});
