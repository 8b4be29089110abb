// Summarises a V8 CPU profile (from `--cpu-prof`): self time per function and per
// package, so the cost of a guard shows next to Socket.io's own work.
//   node src/profile-summary.mjs <file.cpuprofile> [top=25] [total-time filter=portcullis|jose]
import { readFileSync } from 'node:fs';

const [file, top = '25', filter = 'portcullis|jose'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
}
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfMs].reduce(
  (sum, [id, value]) => sum + (byId.get(id).callFrame.functionName === '(idle)' ? value : 0),
  0,
);

function owner(url) {
  if (!url) return '(native)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1];
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@portcullis/${workspace[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*\/bench\//, 'bench/');
}

const functions = new Map();
const packages = new Map();
for (const [id, ms] of selfMs) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${owner(url)}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + ms);
  const pkg = owner(url);
  packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
}
const busy = total - idle;
const show = (map, count) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([key, ms]) =>
        `${ms.toFixed(1).padStart(9)} ms ${((ms / busy) * 100).toFixed(1).padStart(5)} %  ${key}`,
    )
    .join('\n');
console.log(`${file}: ${busy.toFixed(0)} ms busy, ${idle.toFixed(0)} ms idle`);
console.log('\nby package (self time)\n' + show(packages, 15));
console.log('\nby function (self time)\n' + show(functions, Number(top)));

// Total time (self and callees) of the functions whose owner matches the filter; a
// function that calls itself is counted once per sample.
const matches = new RegExp(filter);
const parent = new Map();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);
const totals = new Map();
for (const [id, ms] of selfMs) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url, lineNumber } = byId.get(at).callFrame;
    const pkg = owner(url);
    if (!matches.test(pkg)) continue;
    const key = `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    totals.set(key, (totals.get(key) ?? 0) + ms);
  }
}
console.log(
  `\nby function (total time), owners matching /${filter}/\n` + show(totals, Number(top)),
);
