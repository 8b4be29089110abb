/** Links: `http(s)://…` and `www.…`, with their hosts. */
const LINK = /\bhttps?:\/\/([^\s/?#<>"']+)[^\s<>"']*|\bwww\.([^\s/?#<>"']+)[^\s<>"']*/g;
/** Mentions: `@name` at the start or after white space. */
const MENTION = /(?:^|\s)@[\p{L}\p{N}_.-]{1,64}/gu;

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const bare = host.replace(/:\d+$/, '');
  return allowed.some((entry) => bare === entry || bare.endsWith(`.${entry}`));
}

/** Links in the text whose host is not allowed. */
export function countLinks(normalized: string, allowHosts: readonly string[]): number {
  let count = 0;
  LINK.lastIndex = 0;
  for (let match = LINK.exec(normalized); match !== null; match = LINK.exec(normalized)) {
    const host = match[1] ?? `www.${match[2] ?? ''}`;
    if (!hostAllowed(host, allowHosts)) count++;
  }
  return count;
}

export function countMentions(normalized: string): number {
  MENTION.lastIndex = 0;
  let count = 0;
  while (MENTION.exec(normalized) !== null) count++;
  return count;
}

/** The longest run of one character (code point), on the raw text. */
export function longestRun(text: string): number {
  let longest = 0;
  let run = 0;
  let previous = -1;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    run = code === previous ? run + 1 : 1;
    previous = code;
    if (run > longest) longest = run;
  }
  return longest;
}

/** Share of upper-case letters among the letters, and how many letters there are. */
export function capitals(text: string): { share: number; letters: number } {
  let letters = 0;
  let upper = 0;
  for (const char of text) {
    const lower = char.toLowerCase();
    const higher = char.toUpperCase();
    if (lower === higher) continue; // not a cased letter
    letters++;
    if (char === higher) upper++;
  }
  return { share: letters === 0 ? 0 : upper / letters, letters };
}
