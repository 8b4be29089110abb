#!/usr/bin/env node
// Fails when a runtime dependency (direct or transitive) of a public package declares an
// `engines.node` range that excludes our floor, the lowest version of the root
// `engines.node`: installing on that Node version would warn EBADENGINE, and fail under
// `engine-strict`. Also checks that every public package declares the same floor.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// semver is in pnpm's store of hoisted dependencies, not a dependency of ours.
const semverPath = join(root, 'node_modules', '.pnpm', 'node_modules', 'semver');
if (!existsSync(semverPath)) {
  console.error('check-engines: semver not found under node_modules/.pnpm; run pnpm install.');
  process.exit(1);
}
const semver = createRequire(import.meta.url)(semverPath);

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const rootRange = readJson(join(root, 'package.json')).engines?.node;
const floor = semver.minVersion(rootRange)?.version;
if (floor === undefined) {
  console.error(`check-engines: the root package.json has no usable engines.node (${rootRange}).`);
  process.exit(1);
}

/** The directory of `name` as seen from `fromDir` (Node's lookup, without `exports`). */
function packageDir(name, fromDir) {
  // From the real path (pnpm links packages into its store), as Node resolves.
  let dir = realpathSync(fromDir);
  for (;;) {
    const candidate =
      basename(dir) === 'node_modules' ? join(dir, name) : join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const problems = [];
const seen = new Set();

function visit(dir, via) {
  const manifest = readJson(join(dir, 'package.json'));
  const id = `${manifest.name}@${manifest.version}`;
  if (seen.has(id)) return;
  seen.add(id);
  const range = manifest.engines?.node;
  if (typeof range === 'string' && !semver.satisfies(floor, range)) {
    problems.push(`${id} (via ${via.join(' > ')}) needs node ${range}; our floor is ${floor}`);
  }
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const found = packageDir(dependency, dir);
    if (found !== undefined) visit(found, [...via, dependency]);
  }
}

const packagesDir = join(root, 'packages');
for (const folder of readdirSync(packagesDir)) {
  const dir = join(packagesDir, folder);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const manifest = readJson(join(dir, 'package.json'));
  if (manifest.private === true) continue;
  if (manifest.engines?.node !== rootRange) {
    problems.push(
      `${manifest.name} declares node ${manifest.engines?.node}; the root says ${rootRange}`,
    );
  }
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (dependency.startsWith('@portcullis/')) continue; // checked as its own package
    const found = packageDir(dependency, dir);
    if (found === undefined) {
      problems.push(`${manifest.name}: dependency ${dependency} is not installed`);
      continue;
    }
    visit(found, [manifest.name, dependency]);
  }
}

for (const problem of problems) console.error(`check-engines: ${problem}`);
console.log(
  `engines: ${seen.size} runtime dependencies checked against node ${floor}, ${problems.length} problems`,
);
process.exit(problems.length === 0 ? 0 : 1);
