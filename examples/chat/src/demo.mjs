// `corepack pnpm demo` (and `demo:cluster`): builds the packages only when a source is
// newer than its build, quietly, then starts the chat, so its URL is the last line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packagesDir = join(root, 'packages');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const hasBuild = (dir) =>
  existsSync(join(dir, 'package.json')) &&
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.build !== undefined;

/** Packages with a build whose output is missing or older than their sources. */
function staleBuilds() {
  return readdirSync(packagesDir).filter((name) => {
    const src = join(packagesDir, name, 'src');
    const dist = join(packagesDir, name, 'dist');
    if (!existsSync(src) || !hasBuild(join(packagesDir, name))) return false;
    return !existsSync(dist) || newest(dist) < newest(src);
  });
}

const stale = staleBuilds();
if (stale.length > 0) {
  console.log(`[chat] building ${stale.length} package(s) first (${stale.join(', ')})…`);
  const build = spawnSync('corepack', ['pnpm', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) {
    console.error(`${build.stdout}\n${build.stderr}\n[chat] the build failed (above).`);
    process.exit(1);
  }
}

await import(process.argv.includes('--cluster') ? './cluster.mjs' : './server.mjs');
