import { resolveMarkupBudget, type MarkupBudget, type MarkupBudgetOptions } from './markup-budget';
import type { FieldRule } from './plan';
import type { SanitizeHtmlOptions, SanitizeMode } from './policies';
import type { MarkedEventSchema } from './schema-marks';

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
   * every string of their arguments with the preset; `'skip'` leaves them untouched.
   */
  otherEvents?: 'everyString' | 'skip';
  /** Every-string walks refuse payloads nested deeper than this. Default `32`. */
  maxDepth?: number;
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
  readonly maxDepth: number;
  /** `undefined` when turned off. */
  readonly markupBudget: MarkupBudget | undefined;
}

const MAX_DEPTH_LIMIT = 1000;

/** Normalises and checks the scalar options once, in the factory. */
export function resolveSanitizeOptions(options: Readonly<SanitizeGuardOptions>): SanitizeSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'sanitizeGuard: options must be an object, e.g. sanitizeGuard({ preset: "basic" }).',
    );
  }
  const mode = options.mode ?? 'escape';
  if (mode !== 'escape' && mode !== 'strip') {
    throw new TypeError(
      `sanitizeGuard: mode must be 'escape' (default) or 'strip'; got ${JSON.stringify(mode)}.`,
    );
  }
  const otherEvents = options.otherEvents ?? 'everyString';
  if (otherEvents !== 'everyString' && otherEvents !== 'skip') {
    throw new TypeError(
      `sanitizeGuard: otherEvents must be 'everyString' (default) or 'skip'; got ${JSON.stringify(otherEvents)}.`,
    );
  }
  const maxDepth = options.maxDepth ?? 32;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
    throw new TypeError(
      `sanitizeGuard: maxDepth must be an integer from 1 to ${MAX_DEPTH_LIMIT}; got ${String(maxDepth)}.`,
    );
  }
  return {
    mode,
    presetName: options.preset ?? 'text',
    skipOtherEvents: otherEvents === 'skip',
    maxDepth,
    markupBudget: resolveMarkupBudget(options.markupBudget),
  };
}
