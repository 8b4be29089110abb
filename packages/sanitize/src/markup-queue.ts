import sanitizeHtml from 'sanitize-html';
import type { GuardError } from '@portcullis/core';
import type { MarkupBudget } from './markup-budget';
import type { Policy } from './policies';

/** An object or array of a packet whose slot `key` holds a string. */
export type Container = Record<string | number, unknown>;

/**
 * A string with neither `<` nor `&` holds no tag and no entity: the parser could only
 * give it back as it is (apart from escaping `>` and quotes, which are inert in
 * element content). Skipping it keeps plain chat text close to free.
 */
const MARKUP = /[<&]/;
const LESS_THAN = 0x3c;
const AMPERSAND = 0x26;

/** `<` and `&` in `text`, counting no further than `limit + 1`. */
function countMarkup(text: string, limit: number): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code === LESS_THAN || code === AMPERSAND) && ++count > limit) return count;
  }
  return count;
}

/** Above this many entries the slots are dropped after a packet rather than kept for reuse. */
const KEEP_SLOTS = 1024;

/**
 * The markup-bearing strings of one packet, found by the walks and sanitized only once
 * the whole packet is known to fit the markup budget, so a refused packet costs one
 * regular-expression test per string and never a call to sanitize-html.
 *
 * One queue serves every packet of a guard: checks run synchronously, one at a time.
 * Its slots are reused (no allocation per packet) and emptied after each packet, so it
 * never keeps a packet alive.
 */
export class MarkupQueue {
  private readonly containers: (Container | undefined)[] = [];
  private readonly keys: (string | number)[] = [];
  private readonly policies: (Policy | undefined)[] = [];
  private count = 0;
  private length = 0;
  private chars = 0;
  /** The first refusal a walk met; walks stop as soon as it is set. */
  refusal: GuardError | undefined = undefined;

  constructor(
    private readonly budget: MarkupBudget | undefined,
    private readonly overBudget: GuardError,
  ) {}

  /** Starts a packet. */
  begin(): void {
    this.count = 0;
    this.length = 0;
    this.chars = 0;
    this.refusal = undefined;
  }

  /**
   * Takes a string a walk found at `container[key]`: plain text stays as it is; text with
   * markup is queued for `policy`, or the packet is refused once it is over budget.
   */
  take(container: Container, key: string | number, text: string, policy: Policy): void {
    if (!MARKUP.test(text)) return;
    const budget = this.budget;
    if (budget !== undefined) {
      // Length before characters: the count below then reads at most maxMarkupLength
      // characters per packet, however long the strings are.
      this.length += text.length;
      if (this.count >= budget.maxMarkupStrings || this.length > budget.maxMarkupLength) {
        this.refusal = this.overBudget;
        return;
      }
      this.chars += countMarkup(text, budget.maxMarkupChars - this.chars);
      if (this.chars > budget.maxMarkupChars) {
        this.refusal = this.overBudget;
        return;
      }
    }
    const slot = this.count++;
    this.containers[slot] = container;
    this.keys[slot] = key;
    this.policies[slot] = policy;
  }

  /**
   * Runs sanitize-html on every queued string, in place. The slot is read again rather
   * than the text taken, so two paths reaching one string apply both policies in turn.
   */
  cleanAll(): void {
    if (this.count === 0) return; // plain text only: the usual packet
    try {
      for (let slot = 0; slot < this.count; slot++) {
        const container = this.containers[slot] as Container;
        const key = this.keys[slot] as string | number;
        const policy = this.policies[slot] as Policy;
        container[key] = sanitizeHtml(container[key] as string, policy.options);
      }
    } finally {
      this.release();
    }
  }

  /** Lets go of the packet (after cleaning, or when it is refused). */
  release(): void {
    if (this.count === 0) return;
    if (this.count > KEEP_SLOTS) {
      this.containers.length = 0;
      this.keys.length = 0;
      this.policies.length = 0;
    } else {
      this.containers.fill(undefined, 0, this.count);
      this.keys.fill(0, 0, this.count);
      this.policies.fill(undefined, 0, this.count);
    }
    this.count = 0;
  }
}
