import { normalizeText } from '../normalize';
import { unsafePatternReason } from './safe-regex';

const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/** Text as words separated by single spaces, with a space at both ends. */
function asWords(normalized: string): string {
  return ` ${normalized.replace(NOT_WORD, ' ').trim()} `;
}

/**
 * Words and phrases matched as whole words on normalised text (`FREE  m\u200Boney`
 * matches `free money`), and RegExps that passed the backtracking check at set-up.
 */
export class Blocklist {
  private readonly words = new Set<string>();
  private readonly phrases: string[] = [];
  private readonly patterns: RegExp[] = [];

  constructor(entries: readonly (string | RegExp)[]) {
    for (const entry of entries) {
      if (entry instanceof RegExp) {
        const reason = unsafePatternReason(entry);
        if (reason !== undefined) {
          throw new TypeError(
            `content blocklist: the pattern /${entry.source}/ is refused (${reason}): it could make one message cost seconds of CPU. Split it into simple patterns or plain words.`,
          );
        }
        // Without the g or y flag, test() keeps no state between calls.
        this.patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')));
        continue;
      }
      const words = asWords(normalizeText(entry)).trim();
      if (words.length === 0) continue;
      if (words.includes(' ')) this.phrases.push(` ${words} `);
      else this.words.add(words);
    }
  }

  get size(): number {
    return this.words.size + this.phrases.length + this.patterns.length;
  }

  matches(normalized: string): boolean {
    if (this.words.size > 0 || this.phrases.length > 0) {
      const text = asWords(normalized);
      for (const phrase of this.phrases) if (text.includes(phrase)) return true;
      if (this.words.size > 0) {
        let start = 1;
        for (let end = text.indexOf(' ', start); end !== -1; end = text.indexOf(' ', start)) {
          if (end > start && this.words.has(text.slice(start, end))) return true;
          start = end + 1;
        }
      }
    }
    for (const pattern of this.patterns) if (pattern.test(normalized)) return true;
    return false;
  }
}
