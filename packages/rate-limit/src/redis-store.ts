import type { RedisAdapter } from '@portcullis/core';

/** Where and how the described windows of a scope are counted in Redis. */
export interface RedisWindowOptions {
  /** Core's adapter around the user's client: readiness, `EVALSHA`, the deadline. */
  readonly adapter: RedisAdapter;
  readonly keyPrefix: string;
  /** Count in memory while Redis cannot answer. */
  readonly insurance: boolean;
}
