import {
  checkOptions,
  opt,
  type MaybePromise,
  type OptionSpec,
  type PortcullisContext,
} from '@portcullis/core';
import type { DuplicateRule } from './rules/duplicates';
import type { RuleAction } from './rules/shapes';

interface Acting {
  /** `'refuse'` (default) refuses with `CONTENT_REJECTED`; `'flag'` lets it through and records it. */
  readonly action?: RuleAction;
}

export interface ContentRules {
  /** The same message again and again. Default `{ max: 3, withinMs: 30000 }`. */
  readonly duplicates?: DuplicateRule | false;
  /** Links to hosts not in `allowHosts`. Default `{ max: 5 }`. */
  readonly links?:
    (Acting & { readonly max?: number; readonly allowHosts?: readonly string[] }) | false;
  /** `@mentions`. Default `{ max: 10 }`. */
  readonly mentions?: (Acting & { readonly max?: number }) | false;
  /** The longest run of one character. Default `{ maxRun: 30 }`. */
  readonly repetition?: (Acting & { readonly maxRun?: number }) | false;
  /** Shouting: the share of capitals among letters, once there are `minLetters`. Default `{ maxShare: 0.8, minLetters: 20 }`. */
  readonly caps?: (Acting & { readonly maxShare?: number; readonly minLetters?: number }) | false;
  /** Words and phrases (whole words, normalised), and RegExps that pass the backtracking check. Default: off. */
  readonly blocklist?: (Acting & { readonly entries: readonly (string | RegExp)[] }) | false;
  /**
   * Your own check: resolve `true` to reject. Async checks get `timeoutMs` (default 200);
   * one that throws or is late follows `onError` (`'deny'`, the default: `INTERNAL`).
   */
  readonly custom?:
    | (Acting & {
        readonly rejects: (
          text: string,
          context: Readonly<PortcullisContext>,
        ) => MaybePromise<boolean>;
        readonly timeoutMs?: number;
        readonly onError?: 'deny' | 'allow';
      })
    | false;
}

export interface ContentGuardOptions {
  /**
   * The strings to judge, per event: field paths of the first argument (`'text'`,
   * `'message.body'`), or argument indexes for string arguments (`0`). Required.
   */
  readonly fields: Readonly<Record<string, readonly (string | number)[]>>;
  /** The rules, for every event in `fields`. */
  readonly rules?: ContentRules;
  /** Per-event rules, replacing `rules` key by key for that event. */
  readonly events?: Readonly<Record<string, ContentRules>>;
  /** Senders whose recent fingerprints are kept (oldest forgotten first). Default 50 000. */
  readonly maxTrackedSenders?: number;
}

const action = opt.oneOf(['refuse', 'flag']);

const rulesSpec: OptionSpec = opt.object({
  duplicates: opt.off(
    opt.object({
      max: opt.integer({ min: 1 }),
      withinMs: opt.duration({ min: 1 }),
      remember: opt.integer({ min: 1, max: 256 }),
      action,
    }),
  ),
  links: opt.off(
    opt.object({ max: opt.integer({ min: 0 }), allowHosts: opt.array(opt.string()), action }),
  ),
  mentions: opt.off(opt.object({ max: opt.integer({ min: 0 }), action })),
  repetition: opt.off(opt.object({ maxRun: opt.integer({ min: 2 }), action })),
  caps: opt.off(
    opt.object({
      maxShare: opt.number({ min: 0, max: 1 }),
      minLetters: opt.integer({ min: 1 }),
      action,
    }),
  ),
  blocklist: opt.off(
    opt.object({
      entries: opt.required(
        opt.array(
          opt.custom(
            'a string or a RegExp',
            (value) => typeof value === 'string' || value instanceof RegExp,
          ),
        ),
      ),
      action,
    }),
  ),
  custom: opt.off(
    opt.object({
      rejects: opt.required(opt.func()),
      timeoutMs: opt.duration({ min: 1, max: 10_000 }),
      onError: opt.oneOf(['deny', 'allow']),
      action,
    }),
  ),
});

export const contentGuardOptionsSpec: OptionSpec = opt.object({
  fields: opt.required(
    opt.record(
      opt.array(opt.union(opt.string(), opt.integer({ min: 0, max: 16 })), { minLength: 1 }),
      'event names',
    ),
  ),
  rules: rulesSpec,
  events: opt.record(rulesSpec, 'event names'),
  maxTrackedSenders: opt.integer({ min: 1 }),
});

export function checkContentOptions(options: unknown): asserts options is ContentGuardOptions {
  checkOptions(contentGuardOptionsSpec, options, 'contentGuard');
}
