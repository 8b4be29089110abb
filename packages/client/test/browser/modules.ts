import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE = join(__dirname, '..', '..');

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * A file of this package's build, as users get it. The browser tests run the built
 * bundle, not the sources: a build older than the sources fails the test rather than
 * testing something else.
 */
export function built(file: 'index.js' | 'render.js'): string {
  const path = join(PACKAGE, 'dist', file);
  const hint = 'run `corepack pnpm --filter @portcullis/client build` first';
  if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}.`);
  if (statSync(path).mtimeMs < newestIn(join(PACKAGE, 'src'))) {
    throw new Error(`${path} is older than src/: ${hint}.`);
  }
  return path;
}

/** DOMPurify's ES module build (what a bundler or an import map would load). */
export function dompurifyModule(): string {
  return join(dirname(require.resolve('dompurify')), 'purify.es.mjs');
}

/** socket.io-client's ES module build for browsers. */
export function socketIoClientModule(): string {
  return join(
    dirname(require.resolve('socket.io-client')),
    '..',
    '..',
    'dist',
    'socket.io.esm.min.js',
  );
}
