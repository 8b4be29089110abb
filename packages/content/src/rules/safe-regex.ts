/** Longest pattern source accepted in a blocklist. */
export const MAX_PATTERN_LENGTH = 256;

interface Group {
  quantified: boolean;
  alternation: boolean;
}

function isQuantifierAt(source: string, index: number): boolean {
  const char = source[index];
  return char === '*' || char === '+' || char === '?' || char === '{';
}

/**
 * Why a blocklist RegExp could backtrack catastrophically, or `undefined` when it is
 * simple enough: no back-references, and no quantified group that itself contains a
 * quantifier or an alternation (`(a+)+`, `(a|aa)*`, `(\w+\s?)*` are refused). This is
 * deliberately stricter than needed: a refused pattern can always be written as several
 * simple ones, and a blocklist check runs on every message.
 */
export function unsafePatternReason(pattern: RegExp): string | undefined {
  const source = pattern.source;
  if (source.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  if (/\\[1-9]|\\k</.test(source)) return 'a back-reference';
  const stack: Group[] = [{ quantified: false, alternation: false }];
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      index++;
      continue;
    }
    if (char === '[') {
      // A character class: skip to its closing bracket (escapes included).
      index++;
      while (index < source.length && source[index] !== ']') {
        if (source[index] === '\\') index++;
        index++;
      }
      continue;
    }
    const top = stack[stack.length - 1] as Group;
    if (char === '(') {
      stack.push({ quantified: false, alternation: false });
      if (source[index + 1] === '?') index++; // (?: (?= (?! (?<…: not a quantifier
      continue;
    }
    if (char === '|') {
      top.alternation = true;
      continue;
    }
    if (char === ')') {
      const group = stack.pop() as Group;
      const parent = stack[stack.length - 1];
      if (parent === undefined) return 'unbalanced parentheses';
      const quantifiedGroup = isQuantifierAt(source, index + 1);
      if (quantifiedGroup && (group.quantified || group.alternation)) {
        return 'a quantified group holding a quantifier or an alternation';
      }
      parent.quantified ||= group.quantified || quantifiedGroup;
      continue;
    }
    if (isQuantifierAt(source, index)) top.quantified = true;
  }
  return stack.length === 1 ? undefined : 'unbalanced parentheses';
}
