import { CHECK_IDS, type CheckId } from '../report';
import { fail } from './values';

/** Groups usable in `only` / `skip` next to single check ids. */
export const CHECK_GROUPS = {
  origin: ['foreign-origin', 'missing-origin', 'null-origin'],
  transport: ['per-message-deflate', 'polling-cors'],
  auth: ['no-token', 'alg-none', 'expired-token', 'wrong-key', 'unguarded-namespace'],
  messages: [
    'oversized-payload',
    'prototype-pollution',
    'field-types',
    'foreign-room',
    'replay',
    'type-confusion',
    'event-flood',
  ],
  sanitize: ['markup-in-array', 'markup-bomb'],
  logout: ['logout'],
} as const satisfies Record<string, readonly CheckId[]>;

export type CheckGroup = keyof typeof CHECK_GROUPS;
export type CheckSelector = Exclude<CheckId, 'baseline'> | CheckGroup;

/** The checks `only` and `skip` leave, the baseline always among them. */
export function selectChecks(options: {
  readonly only?: readonly CheckSelector[] | undefined;
  readonly skip?: readonly CheckSelector[] | undefined;
}): Set<CheckId> {
  const expand = (list: readonly CheckSelector[], name: string): CheckId[] =>
    list.flatMap((selector) => {
      if (Object.prototype.hasOwnProperty.call(CHECK_GROUPS, selector)) {
        return [...CHECK_GROUPS[selector as CheckGroup]];
      }
      if ((CHECK_IDS as readonly string[]).includes(selector) && String(selector) !== 'baseline') {
        return [selector as CheckId];
      }
      return fail(
        `${name}: unknown check "${String(selector)}". Checks: ${CHECK_IDS.slice(1).join(', ')}; groups: ${Object.keys(CHECK_GROUPS).join(', ')}.`,
      );
    });
  const selected = new Set<CheckId>(
    options.only === undefined ? CHECK_IDS : ['baseline', ...expand(options.only, 'only')],
  );
  for (const id of expand(options.skip ?? [], 'skip')) selected.delete(id);
  return selected;
}
