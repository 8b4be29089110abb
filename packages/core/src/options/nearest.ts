/** Edit distance (insertions, deletions, substitutions, adjacent swaps), capped. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) table[i * cols] = i;
  for (let j = 0; j < cols; j++) table[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (table[(i - 1) * cols + j] as number) + 1,
        (table[i * cols + j - 1] as number) + 1,
        (table[(i - 1) * cols + j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (table[(i - 2) * cols + j - 2] as number) + 1);
      }
      table[i * cols + j] = best;
    }
  }
  return table[rows * cols - 1] as number;
}

/**
 * The known name closest to `name`, when it is close enough to be a typo (a third of
 * the name's length, at least 2 edits; case is ignored): `audiance` → `audience`,
 * `mesages` → `messages`. `undefined` when nothing is that close.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  const cap = Math.max(2, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = cap + 1;
  for (const candidate of known) {
    const found = distance(wanted, candidate.toLowerCase(), cap);
    if (found < bestDistance) {
      best = candidate;
      bestDistance = found;
    }
  }
  return best;
}
