/**
 * The most markup one packet may carry before sanitize-html runs on any of it.
 *
 * sanitize-html's time grows with the tags and entities it parses (a few µs per tag),
 * and a 64 KiB message of `<b>` costs over 100 ms of server CPU. The budget is counted
 * in a cheap pass over the strings that would be sanitized; a packet over it is refused
 * with `PAYLOAD_TOO_LARGE` and nothing of it is parsed.
 *
 * Only markup-bearing strings count (those holding `<` or `&`): plain text never reaches
 * the parser, so it costs the budget nothing.
 */
export interface MarkupBudgetOptions {
  /** Strings holding `<` or `&`, per packet. Default `100`. */
  maxMarkupStrings?: number;
  /**
   * Total length of those strings, in characters (`string.length`, UTF-16 code units:
   * the parser's time grows with characters, not with UTF-8 bytes). Default `8192`.
   */
  maxMarkupLength?: number;
  /** `<` and `&` characters across those strings (tags and entities). Default `512`. */
  maxMarkupChars?: number;
}

/** The budget with every limit set; `undefined` where the budget is off. */
export interface MarkupBudget {
  readonly maxMarkupStrings: number;
  readonly maxMarkupLength: number;
  readonly maxMarkupChars: number;
}

export const DEFAULT_MARKUP_BUDGET: MarkupBudget = {
  maxMarkupStrings: 100,
  maxMarkupLength: 8192,
  maxMarkupChars: 512,
};

/** `markupBudget` (already checked by the option spec): `false` turns the budget off. */
export function resolveMarkupBudget(
  value: Readonly<MarkupBudgetOptions> | false | undefined,
): MarkupBudget | undefined {
  if (value === false) return undefined;
  const given = value ?? {};
  return {
    maxMarkupStrings: given.maxMarkupStrings ?? DEFAULT_MARKUP_BUDGET.maxMarkupStrings,
    maxMarkupLength: given.maxMarkupLength ?? DEFAULT_MARKUP_BUDGET.maxMarkupLength,
    maxMarkupChars: given.maxMarkupChars ?? DEFAULT_MARKUP_BUDGET.maxMarkupChars,
  };
}
