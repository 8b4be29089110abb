import { GuardError } from '@portcullis/core';
import type { ResolvedOptions } from './options';

/** Which cap refused; sent as `info.limit` so an honest client knows what to fix. */
export type LimitName = 'total' | 'soft' | 'ip' | 'user' | 'cluster-user';

export type Refusals = Readonly<Record<LimitName, GuardError>> & {
  /** Sent to the socket that made room for a newer one of the same user. */
  readonly replaced: GuardError;
};

/** Built once: refusing a flood of handshakes allocates no error per attempt. */
export function buildRefusals(options: ResolvedOptions): Refusals {
  const limited = (limit: LimitName, message: string, max?: number): GuardError =>
    new GuardError('CONNECTION_LIMIT', {
      message,
      retryAfterMs: options.retryAfterMs,
      info: max === undefined || max === Infinity ? { limit } : { limit, max },
    });
  return {
    total: limited('total', 'The server is at capacity; retry later.'),
    soft: limited('soft', 'The server is busy; signed-in users are served first. Retry later.'),
    ip: limited('ip', 'Too many connections from this address.', options.maxPerIp),
    user: limited('user', 'Too many connections for this user.', options.maxPerUser),
    'cluster-user': limited(
      'cluster-user',
      'Too many connections for this user.',
      options.cluster?.maxPerUser,
    ),
    replaced: new GuardError('CONNECTION_LIMIT', {
      message: 'This connection was replaced by a newer one of the same user.',
      retryable: false,
      info: { limit: 'user' },
    }),
  };
}
