#!/usr/bin/env node
// Keeps the publishing fields of every public package in line with the root: license
// file, repository (with its directory), homepage, bugs, public access, the Node floor,
// a build before packing. `--check` reports drift and exits 1 (the test command runs it);
// without it, the fields are written.
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const check = process.argv.includes('--check');
// `--skip client,probe`: folders left alone this time (e.g. being edited).
const skipIndex = process.argv.indexOf('--skip');
const skipped = new Set(skipIndex === -1 ? [] : (process.argv[skipIndex + 1] ?? '').split(','));
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repositoryUrl = rootManifest.repository.url;
const web = repositoryUrl.replace(/^git\+/, '').replace(/\.git$/, '');
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const problems = [];

for (const folder of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', folder);
  const file = join(dir, 'package.json');
  if (!existsSync(file) || skipped.has(folder)) continue;
  const text = readFileSync(file, 'utf8');
  const manifest = JSON.parse(text);
  if (manifest.private === true) continue;
  const wanted = {
    ...manifest,
    engines: { ...manifest.engines, node: rootManifest.engines.node },
    repository: { type: 'git', url: repositoryUrl, directory: `packages/${folder}` },
    homepage: `${web}/tree/main/packages/${folder}#readme`,
    bugs: { url: `${web}/issues` },
    publishConfig: { ...manifest.publishConfig, access: 'public' },
    files: [...new Set([...(manifest.files ?? ['dist', 'README.md']), 'LICENSE'])],
    scripts: { ...manifest.scripts, prepublishOnly: 'corepack pnpm run build' },
  };
  const next = `${JSON.stringify(wanted, null, 2)}\n`;
  const licenseFile = join(dir, 'LICENSE');
  const licenseOk = existsSync(licenseFile) && readFileSync(licenseFile, 'utf8') === license;
  if (check) {
    if (next !== text) problems.push(`${manifest.name}: package.json publishing fields differ`);
    if (!licenseOk) problems.push(`${manifest.name}: LICENSE missing or not the root's`);
    continue;
  }
  if (next !== text) writeFileSync(file, next);
  if (!licenseOk) copyFileSync(join(root, 'LICENSE'), licenseFile);
}

if (check) {
  for (const problem of problems) console.error(`package-metadata: ${problem}`);
  if (problems.length > 0) {
    console.error('Run node packages/testing/scripts/package-metadata.mjs to fix them.');
    process.exit(1);
  }
  console.log('package metadata: every public package is in line');
}
