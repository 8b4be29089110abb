// Module hooks that let a plain `node` process run this workspace's TypeScript sources,
// the way Jest sees them (jest.config.ts): `@portcullis/<name>` and `portcullis` map to
// packages/<name>/src/index.ts, and `.ts` files are stripped of their types by swc, the
// same transform Jest uses. Child servers and the long-run scripts load the guards'
// sources, never a possibly stale dist/ build.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from '@swc/core';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function workspaceEntry(specifier) {
  if (specifier === 'portcullis') return join(packagesDir, 'portcullis', 'src', 'index.ts');
  const scoped = /^@portcullis\/([a-z-]+)$/.exec(specifier);
  if (scoped === null) return undefined;
  return join(packagesDir, scoped[1], 'src', 'index.ts');
}

function isFile(path) {
  return existsSync(path) && statSync(path).isFile();
}

/** `./codes` from a `.ts` file: `./codes.ts`, else `./codes/index.ts`. */
function typescriptFile(specifier, parentURL) {
  if (parentURL === undefined || !parentURL.endsWith('.ts')) return undefined;
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = fileURLToPath(new URL(specifier, parentURL));
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && isFile(candidate)) return candidate;
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const path = workspaceEntry(specifier) ?? typescriptFile(specifier, context.parentURL);
  if (path !== undefined) return { url: pathToFileURL(path).href, shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
