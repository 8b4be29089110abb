import type { MaybePromise, PortcullisContext } from '@portcullis/core';
import type { ContentRules } from './options';
import { Blocklist } from './rules/blocklist';
import type { RuleAction } from './rules/shapes';

/** An event's rules, defaults filled in and compiled once. */
export interface CompiledRules {
  readonly duplicates:
    { readonly max: number; readonly withinMs: number; readonly action: RuleAction } | undefined;
  readonly links:
    | { readonly max: number; readonly allowHosts: readonly string[]; readonly action: RuleAction }
    | undefined;
  readonly mentions: { readonly max: number; readonly action: RuleAction } | undefined;
  readonly repetition: { readonly maxRun: number; readonly action: RuleAction } | undefined;
  readonly caps:
    | { readonly maxShare: number; readonly minLetters: number; readonly action: RuleAction }
    | undefined;
  readonly blocklist: { readonly list: Blocklist; readonly action: RuleAction } | undefined;
  readonly custom:
    | {
        readonly rejects: (
          text: string,
          context: Readonly<PortcullisContext>,
        ) => MaybePromise<boolean>;
        readonly timeoutMs: number;
        readonly onError: 'deny' | 'allow';
        readonly action: RuleAction;
      }
    | undefined;
}

function on<T extends object, R>(
  value: T | false | undefined,
  fallback: T | undefined,
  build: (given: T) => R,
): R | undefined {
  if (value === false) return undefined;
  const chosen = value ?? fallback;
  return chosen === undefined ? undefined : build(chosen);
}

export function compileRules(rules: ContentRules = {}): CompiledRules {
  return {
    duplicates: on(rules.duplicates, {}, (given) => ({
      max: given.max ?? 3,
      withinMs: given.withinMs ?? 30_000,
      action: given.action ?? 'refuse',
    })),
    links: on(rules.links, {}, (given) => ({
      max: given.max ?? 5,
      allowHosts: (given.allowHosts ?? []).map((host) => host.toLowerCase()),
      action: given.action ?? 'refuse',
    })),
    mentions: on(rules.mentions, {}, (given) => ({
      max: given.max ?? 10,
      action: given.action ?? 'refuse',
    })),
    repetition: on(rules.repetition, {}, (given) => ({
      maxRun: given.maxRun ?? 30,
      action: given.action ?? 'refuse',
    })),
    caps: on(rules.caps, {}, (given) => ({
      maxShare: given.maxShare ?? 0.8,
      minLetters: given.minLetters ?? 20,
      action: given.action ?? 'refuse',
    })),
    blocklist: on(rules.blocklist, undefined, (given) => ({
      list: new Blocklist(given.entries),
      action: given.action ?? 'refuse',
    })),
    custom: on(rules.custom, undefined, (given) => ({
      rejects: given.rejects,
      timeoutMs: given.timeoutMs ?? 200,
      onError: given.onError ?? 'deny',
      action: given.action ?? 'refuse',
    })),
  };
}
