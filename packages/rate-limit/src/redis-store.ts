import type { RedisClient } from '@portcullis/core';

/** Where and how the described windows of a scope are counted in Redis. */
export interface RedisWindowOptions {
  readonly client: RedisClient;
  readonly keyPrefix: string;
  /** Count in memory while Redis cannot answer. */
  readonly insurance: boolean;
  /** Points per lease (`RateLimitStoreOptions.lease`): absent is automatic. */
  readonly lease: number | false | undefined;
}
