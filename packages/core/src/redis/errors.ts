/** Why a Redis command did not answer: the adapter's own failures, told apart. */
export type RedisFailureKind = 'not-ready' | 'timeout' | 'error';

/**
 * A Redis command that failed, timed out, or was not sent because the client is not
 * connected. Guards turn it into their outage policy (`onStoreError`); it never reaches
 * a client, and it is never mistaken for a limit being hit.
 */
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  readonly kind: RedisFailureKind;

  constructor(kind: RedisFailureKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
  }
}

/** Brand check across copies of core. */
export function isRedisStoreError(value: unknown): value is RedisStoreError {
  return value instanceof Error && value.name === 'RedisStoreError';
}

/**
 * What a guard does when its store cannot answer (Redis down or slow): `'deny'` refuses
 * (`INTERNAL`, retryable), `'allow'` lets the request through and records a warning. One
 * name and one shape for every guard with a store.
 */
export type StoreErrorPolicy = 'deny' | 'allow';
