import { checkOptions, isPlainObject, opt, type OptionSpec } from '@portcullis/core';
import { resolveMarkupBudget, type MarkupBudget, type MarkupBudgetOptions } from './markup-budget';
import type { FieldRule } from './plan';
import type { SanitizeHtmlOptions, SanitizeMode } from './policies';
import { isMarkedEventSchema, type MarkedEventSchema } from './schema-marks';

export interface SanitizeGuardOptions {
  /**
   * The policy of fields that name none and of every-string events: `'text'` (default,
   * no markup at all), `'basic'` (b, i, em, strong, safe links) or a name from `policies`.
   */
  preset?: string;
  /**
   * Disallowed tags: `'escape'` (default) shows them as text, so nothing the user typed
   * is lost; `'strip'` removes them (and the content of script, style, textarea, option).
   * A custom policy that sets `disallowedTagsMode` itself keeps its own choice.
   */
  mode?: SanitizeMode;
  /** Your own sanitize-html option sets by name, usable as `preset` or per field. */
  policies?: Readonly<Record<string, SanitizeHtmlOptions>>;
  /**
   * Per event, the fields to sanitize: `['message', 'items[].title']` (with the preset),
   * `{ bio: 'basic', name: 'text' }`, or `'*'` for every string of that event.
   * A path names a string: an array, an object or binary there is refused with
   * `VALIDATION_FAILED` (null, numbers and booleans pass).
   */
  fields?: Readonly<Record<string, FieldRule>>;
  /**
   * Per event, a joi schema (or one per argument) whose fields marked
   * `.meta({ sanitize: 'basic' })` (or `sanitize: true` for the preset) are sanitized.
   * The map given to `validateGuard` works as is. A schema without marks means the
   * event carries no HTML and is left alone.
   */
  schemas?: Readonly<Record<string, MarkedEventSchema>>;
  /**
   * Events named in neither `fields` nor `schemas`: `'everyString'` (default) sanitizes
   * every string of their arguments with the preset; `false` leaves them untouched.
   */
  otherEvents?: 'everyString' | false;
  /**
   * The most markup one packet may carry, counted over the strings that would be
   * sanitized before any is: at most `maxMarkupStrings` strings holding `<` or `&`
   * (default 100), `maxMarkupLength` characters in them (default 8192) and
   * `maxMarkupChars` `<` and `&` in them (default 512). A packet over it is refused
   * with `PAYLOAD_TOO_LARGE`. Unset limits keep their default; `false` turns it off.
   */
  markupBudget?: MarkupBudgetOptions | false;
}

export interface SanitizeSettings {
  readonly mode: SanitizeMode;
  readonly presetName: string;
  readonly skipOtherEvents: boolean;
  /** `undefined` when turned off. */
  readonly markupBudget: MarkupBudget | undefined;
}

const pathList = opt.array(opt.string());
const pathPolicies = opt.record(opt.string(), 'field paths to policy names');
const anyRule = opt.union(opt.oneOf(['*']), pathList, pathPolicies);

/**
 * One event's rule: `'*'`, a list of paths, or paths to policy names. Each shape is
 * checked by its own spec, so a bad entry is named (`fields.chat[0]`).
 */
const fieldRuleSpec: OptionSpec = {
  ...anyRule,
  check(value, path) {
    if (Array.isArray(value)) pathList.check(value, path);
    else if (isPlainObject(value)) pathPolicies.check(value, path);
    else anyRule.check(value, path);
  },
};

/** Every option `sanitizeGuard` takes, for the preset and for tools. */
export const sanitizeGuardOptionsSpec: OptionSpec = opt.object(
  {
    preset: opt.string(),
    mode: opt.oneOf(['escape', 'strip']),
    policies: opt.record(
      opt.custom('an object of sanitize-html options', isPlainObject),
      'policy names',
    ),
    fields: opt.record(fieldRuleSpec, 'event names'),
    schemas: opt.record(
      opt.custom(
        'a joi schema, an object of joi schemas, or an array of those',
        isMarkedEventSchema,
      ),
      'event names',
    ),
    otherEvents: opt.oldSpelling(
      opt.off(opt.oneOf(['everyString'])),
      'skip',
      "'skip' is now written false: otherEvents: false leaves events without a rule untouched.",
    ),
    maxDepth: opt.removed(
      'the one structure walk bounds depth: set sizeLimitGuard({ maxDepth }) before this guard; ' +
        'used alone, sanitize refuses payloads it walks that nest deeper than 32',
    ),
    markupBudget: opt.off(
      opt.object({
        maxMarkupStrings: opt.integer({ min: 1 }),
        maxMarkupLength: opt.integer({ min: 1 }),
        maxMarkupChars: opt.integer({ min: 1 }),
      }),
    ),
  },
  [
    (value) => {
      const fields = isPlainObject(value.fields) ? value.fields : {};
      const schemas = isPlainObject(value.schemas) ? value.schemas : {};
      const both = Object.keys(fields).find(
        (event) => fields[event] !== undefined && schemas[event] !== undefined,
      );
      return both === undefined
        ? undefined
        : `${JSON.stringify(both)} is in both fields and schemas; describe it in one of them.`;
    },
  ],
);

/** Checks every option once, in the factory, and resolves the scalar ones. */
export function resolveSanitizeOptions(options: Readonly<SanitizeGuardOptions>): SanitizeSettings {
  checkOptions(sanitizeGuardOptionsSpec, options, 'sanitizeGuard');
  return {
    mode: options.mode ?? 'escape',
    presetName: options.preset ?? 'text',
    skipOtherEvents: options.otherEvents === false,
    markupBudget: resolveMarkupBudget(options.markupBudget),
  };
}
