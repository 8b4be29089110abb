import {
  GuardError,
  checkOptions,
  getContext,
  isThenable,
  opt,
  safeEventName,
  type AnySocket,
  type GuardVerdict,
  type MaybePromise,
  type PacketGuard,
} from '@portcullis/core';
import {
  authorizeOptionsSpec,
  authorizeRulesSpec,
  type AuthorizeOptions,
  type AuthorizePredicate,
  type AuthorizeRules,
} from './authorize-options';

type CompiledRule =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny' }
  | { readonly kind: 'roles'; readonly roles: ReadonlySet<string> }
  | { readonly kind: 'predicate'; readonly predicate: AuthorizePredicate };

const ALLOW: CompiledRule = { kind: 'allow' };
const DENY: CompiledRule = { kind: 'deny' };

/** The rule as the guard runs it (the spec has checked its shape). */
function compileRule(rule: AuthorizeRules[string]): CompiledRule {
  if (rule === true) return ALLOW;
  if (rule === false) return DENY;
  if (typeof rule === 'function') return { kind: 'predicate', predicate: rule };
  return { kind: 'roles', roles: new Set(rule.roles) };
}

/** The rules are anchored under `rules` in messages: `rules["admin:ban"].roles`. */
const rulesArgumentSpec = opt.object({ rules: opt.required(authorizeRulesSpec) });

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
  checkOptions(rulesArgumentSpec, { rules }, 'authorize');
  checkOptions(authorizeOptionsSpec, options, 'authorize');
  const unknown = options.unknown ?? 'deny';
  // A Map, not the object: an event called "constructor" or "__proto__" finds no rule.
  const compiled = new Map<string, CompiledRule>();
  for (const event of Object.keys(rules)) {
    const rule = rules[event];
    if (rule !== undefined) compiled.set(event, compileRule(rule));
  }
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
    if (isThenable(verdict)) {
      return verdict.then(
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
