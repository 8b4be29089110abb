import {
  GuardError,
  getContext,
  safeEventName,
  type AnySocket,
  type GuardVerdict,
  type MaybePromise,
  type PacketGuard,
  type PortcullisContext,
} from '@portcullis/core';

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

type CompiledRule =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny' }
  | { readonly kind: 'roles'; readonly roles: ReadonlySet<string> }
  | { readonly kind: 'predicate'; readonly predicate: AuthorizePredicate };

const ALLOW: CompiledRule = { kind: 'allow' };
const DENY: CompiledRule = { kind: 'deny' };

function compileRule(event: string, rule: unknown): CompiledRule {
  if (rule === true) return ALLOW;
  if (rule === false) return DENY;
  if (typeof rule === 'function')
    return { kind: 'predicate', predicate: rule as AuthorizePredicate };
  const roles = (rule as { roles?: unknown } | null)?.roles;
  if (
    Array.isArray(roles) &&
    roles.length > 0 &&
    roles.every((role) => typeof role === 'string' && role.length > 0)
  ) {
    return { kind: 'roles', roles: new Set(roles as string[]) };
  }
  throw new TypeError(
    `authorize: the rule for ${JSON.stringify(event)} must be { roles: [...] } with at least one ` +
      'role, a function (ctx, args) => boolean, or true / false.',
  );
}

function hasAnyRole(userRoles: readonly string[], allowed: ReadonlySet<string>): boolean {
  for (let index = 0; index < userRoles.length; index++) {
    if (allowed.has(userRoles[index] as string)) return true;
  }
  return false;
}

/**
 * The name a packet's rule is found under: the name Socket.io dispatches it to. Its
 * parser accepts a number as event name and runs the listener registered under the
 * number's string form (`1` runs `'1'`), so a number is judged by the rule of that
 * string; looked up as the number, it would find none and pass under `unknown: 'allow'`.
 * Strings, the normal case, cost one `typeof`. Anything else only a custom parser can
 * produce, and it may still reach a listener (an array `['admin:ban']` runs
 * `'admin:ban'`): `undefined`, refused whatever `unknown` says.
 */
function ruleName(name: unknown): string | undefined {
  if (typeof name === 'string') return name;
  return typeof name === 'number' ? String(name) : undefined;
}

function argumentsOf(packet: readonly unknown[]): unknown[] {
  const end = typeof packet[packet.length - 1] === 'function' ? packet.length - 1 : packet.length;
  return packet.slice(1, end);
}

/**
 * Per-event authorization as a packet guard: install it with
 * `usePacketGuards(io, authorize(rules))`, after `authGuard`. A refused packet gets
 * `FORBIDDEN` (in its ack, or on `portcullis:error`) and its handler never runs.
 *
 * Role rules answer synchronously without allocating; a predicate gets a copy of the
 * arguments, and only an async predicate makes the packet wait.
 *
 * @example
 * usePacketGuards(io, authorize({
 *   'admin:broadcast': { roles: ['admin'] },
 *   'room:delete': (ctx, [roomId]) => rooms.isOwner(roomId, ctx.user?.id),
 *   'chat:send': true,
 * }));
 */
export function authorize(
  rules: AuthorizeRules,
  options: Readonly<AuthorizeOptions> = {},
): PacketGuard {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new TypeError("authorize: `rules` must be an object: { 'event:name': rule }.");
  }
  const unknown = options.unknown ?? 'deny';
  if (unknown !== 'allow' && unknown !== 'deny') {
    throw new TypeError("authorize: `unknown` must be 'allow' or 'deny'.");
  }
  // A Map, not the object: an event called "constructor" or "__proto__" finds no rule.
  const compiled = new Map<string, CompiledRule>();
  for (const event of Object.keys(rules)) compiled.set(event, compileRule(event, rules[event]));
  // One instance for every refusal: no stack trace captured per refused packet.
  const forbidden = new GuardError('FORBIDDEN');
  let warned = false;

  const refuseUnknown = (event: unknown): GuardError => {
    if (!warned) {
      warned = true;
      process.emitWarning(
        `authorize refused ${JSON.stringify(safeEventName(event))}: the event has no rule and ` +
          "`unknown` is 'deny'. Add a rule for it, or pass { unknown: 'allow' }.",
        { code: 'PORTCULLIS_AUTHORIZE_NO_RULE' },
      );
    }
    return forbidden;
  };

  const runPredicate = (
    predicate: AuthorizePredicate,
    socket: AnySocket,
    packet: readonly unknown[],
  ): MaybePromise<GuardVerdict> => {
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = predicate(getContext(socket), argumentsOf(packet), socket);
    } catch {
      return forbidden;
    }
    if (typeof (verdict as Promise<boolean> | null)?.then === 'function') {
      return (verdict as Promise<boolean>).then(
        (allowed) => (allowed === true ? undefined : forbidden),
        () => forbidden,
      );
    }
    return verdict === true ? undefined : forbidden;
  };

  return {
    guardName: 'authorize',
    check(socket, packet) {
      const event = ruleName(packet[0]);
      if (event === undefined) return forbidden;
      const rule = compiled.get(event);
      if (rule === undefined) return unknown === 'allow' ? undefined : refuseUnknown(event);
      switch (rule.kind) {
        case 'allow':
          return undefined;
        case 'deny':
          return forbidden;
        case 'roles': {
          const user = getContext(socket).user;
          return user !== undefined && hasAnyRole(user.roles, rule.roles) ? undefined : forbidden;
        }
        case 'predicate':
          return runPredicate(rule.predicate, socket, packet);
      }
    },
  };
}
