/** The options of `rateLimitGuard`: the shared store options, then one key per piece. */
import { opt, type OptionSpec } from '@portcullis/core';
import {
  connectionLimitFields,
  connectionWholeSeconds,
  type ConnectionLimitOptions,
} from './connection-options';
import {
  costsFitRule,
  messageLimitFields,
  messageWholeSeconds,
  type MessageLimitOptions,
} from './message-options';
import {
  removedForEscalation,
  storeOptionFields,
  type RateLimitStoreOptions,
} from './store-options';

export interface RateLimitGuardOptions extends RateLimitStoreOptions {
  /** Connection attempts per IP and per user. `false` leaves them out. */
  connections?: ConnectionLimitOptions | false;
  /** Messages per socket, user, event and overall. `false` leaves them out. */
  messages?: MessageLimitOptions | false;
}

/** Every option `rateLimitGuard` takes. */
export const rateLimitGuardOptionsSpec: OptionSpec = opt.object(
  {
    ...storeOptionFields,
    connections: opt.off(opt.object(connectionLimitFields)),
    messages: opt.off(opt.object(messageLimitFields, [costsFitRule])),
    errors: removedForEscalation,
  },
  [
    connectionWholeSeconds((value) => value.connections, 'connections.'),
    messageWholeSeconds((value) => value.messages, 'messages.'),
  ],
);
