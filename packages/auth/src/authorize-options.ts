/** The rules and options of `authorize`: their types and specs. */
import { opt, type AnySocket, type OptionSpec, type PortcullisContext } from '@portcullis/core';

/**
 * Decides from the context (`ctx.user` is `undefined` for an anonymous socket) and the
 * event's arguments (without the ack callback). Only `true` allows; `false`, anything
 * else, a throw or a rejection refuses with `FORBIDDEN`. The arguments are the client's:
 * check their shape before trusting them.
 */
export type AuthorizePredicate = (
  ctx: Readonly<PortcullisContext>,
  args: readonly unknown[],
  socket: AnySocket,
) => boolean | Promise<boolean>;

/**
 * A rule for one event:
 * - `{ roles: ['admin', 'moderator'] }`: a signed-in user with at least one of them;
 * - a predicate, sync or async;
 * - `true`: anyone, anonymous sockets included; `false`: no one.
 */
export type AuthorizeRule = boolean | { readonly roles: readonly string[] } | AuthorizePredicate;

/** Rules by exact event name. */
export type AuthorizeRules = Readonly<Record<string, AuthorizeRule>>;

export interface AuthorizeOptions {
  /**
   * Events without a rule. Default `'deny'`: a handler added later stays closed until
   * someone writes its rule, and the refusal is loud (FORBIDDEN to the client, and a
   * one-time process warning naming the event). `'allow'` lets them through: use it
   * when the rules list only the sensitive events.
   */
  readonly unknown?: 'allow' | 'deny';
}

/** One rule: `true`, `false`, a predicate, or `{ roles }` with at least one role. */
const ruleSpec: OptionSpec = opt.union(
  opt.boolean(),
  opt.func(),
  opt.object({ roles: opt.required(opt.array(opt.string(), { minLength: 1 })) }),
);

/** The rules `authorize` takes (its first argument), by event name. */
export const authorizeRulesSpec: OptionSpec = opt.record(ruleSpec, 'event names');

/** Every option `authorize` takes (its second argument). */
export const authorizeOptionsSpec: OptionSpec = opt.object({
  unknown: opt.oneOf(['deny', 'allow']),
});
