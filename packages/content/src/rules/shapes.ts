import { getContext, type AnySocket } from '@portcullis/core';

/** What a rule does when it matches: refuse the packet, or let it through and record it. */
export type RuleAction = 'refuse' | 'flag';

/** The closed set of reasons a refusal carries in `info.reason`. */
export type ContentReason =
  'duplicate' | 'links' | 'mentions' | 'repetition' | 'caps' | 'blocked' | 'custom';

/** Who a per-user rule counts against: the verified user, else the client's address. */
export function senderKey(socket: AnySocket): string {
  const context = getContext(socket);
  return context.user === undefined ? `ip:${context.ip}` : `user:${context.user.id}`;
}
