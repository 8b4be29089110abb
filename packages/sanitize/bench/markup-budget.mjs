// Server CPU of the sanitization check on hostile markup, with the default markup budget
// (100 strings, 8192 characters, 512 `<` and `&` per packet): the costliest packets that
// still fit it, and what refusing the packets over it costs, against no budget at all.
// CPU time (process.cpuUsage, user + system) of the check alone, on fresh packets,
// median of rounds; the same check is what a real server runs for each packet.
// Run from the repository root after a build:
//   corepack pnpm --filter @portcullis/core --filter @portcullis/sanitize build
//   node packages/sanitize/bench/markup-budget.mjs
import { cpuUsage } from 'node:process';
import { sanitizeGuard } from '../dist/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const MIN_MS = Number(process.env.MIN_MS ?? 150); // CPU per round and shape

const BUDGET = { strings: 100, length: 8192, chars: 512 };
const markupChars = (text) => text.length - text.replace(/[<&]/g, '').length;

/**
 * A shape: `unit` repeated into `count` strings, as much of it as the budget lets through
 * (labelled with what it holds), or strings given as they are.
 */
function fill(unit, count) {
  const perString = Math.min(
    Math.floor(BUDGET.length / count / unit.length),
    Math.floor(BUDGET.chars / count / markupChars(unit)),
  );
  const strings = count === 1 ? 'one string' : `${count} strings`;
  return [
    `${unit.slice(0, 24)} x ${perString}, ${strings}`,
    Array.from({ length: count }, () => unit.repeat(perString)),
  ];
}

/** One tag whose attributes fill the length budget: one `<`, thousands of attributes. */
const oneTag = (attribute) =>
  `<b ${attribute.repeat(Math.floor((BUDGET.length - 4) / attribute.length))}>`;

const UNITS = [
  '<b>',
  '<i><b>',
  '<div>',
  '<x/>',
  '<b>x</b>',
  '<a href="http://x">',
  '<a href="https://example.com/a?b=1" title="hello there">',
  '<img src=x onerror=alert(1)>',
  '&amp;',
  '&#65;',
  '<!--x-->',
];
// Within the default budget: each is the most of its kind one packet may carry.
const WITHIN = [
  ...UNITS.map((unit) => fill(unit, 1)),
  ['one tag, 4094 attributes', [oneTag('a ')]],
  ['one tag, 2047 attributes a=1', [oneTag('a=1 ')]],
  ['one tag, 8 KiB name', [`<${'a'.repeat(BUDGET.length - 1)}`]],
  ...[10, 50, 100].map((count) => fill('<b>', count)),
  ...['<div>', '<a href="http://x">', '<img src=x onerror=alert(1)>', '&amp;'].map((unit) =>
    fill(unit, 100),
  ),
];
// Over the budget: the attacks the budget exists for.
const OVER = [
  ['60 KB string of <b>', ['<b>'.repeat(20_000)]],
  ['10,000 strings "<b>" (60 KB packet)', Array.from({ length: 10_000 }, () => '<b>')],
  ['60 KB of nested <div>', ['<div>'.repeat(12_000)]],
  ['9 KB, one tag of attributes', [`<b ${'a '.repeat(4600)}>`]],
  ['60 KB of plain text, then one <b>', [`${'x'.repeat(60_000)}<b>`]],
];

const GUARDS = [
  ['text escape (default)', {}],
  ['text strip', { mode: 'strip' }],
  ['basic escape', { preset: 'basic' }],
  ['basic strip', { preset: 'basic', mode: 'strip' }],
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * CPU ms per packet: repeats until MIN_MS of CPU, on a fresh packet each time, reading
 * the clock after batches that double, so a microsecond check is not drowned by it.
 */
function measure(check, strings) {
  let reps = 0;
  let batch = 1;
  const start = cpuUsage();
  let used;
  let verdict;
  do {
    for (let i = 0; i < batch; i++) {
      verdict = check(undefined, ['chat:send', { lines: [...strings] }]);
    }
    reps += batch;
    batch = Math.min(batch * 2, 1024);
    const delta = cpuUsage(start);
    used = (delta.user + delta.system) / 1000;
  } while (used < MIN_MS);
  return { ms: used / reps, code: verdict?.code };
}

function run(shapes, options) {
  const check = sanitizeGuard(options).check;
  const results = shapes.map(() => ({ times: [], code: undefined }));
  for (let round = 0; round <= ROUNDS; round++) {
    shapes.forEach(([, strings], index) => {
      const result = measure(check, strings);
      if (round > 0) results[index].times.push(result.ms); // round 0 warms up
      results[index].code = result.code;
    });
  }
  return results.map(({ times, code }) => ({ ms: median(times), code }));
}

const kib = (strings) => strings.reduce((sum, text) => sum + text.length, 0) / 1024;

console.log(`Within the default budget: CPU per packet, ms (per KiB of markup-bearing strings)`);
console.log(`${''.padEnd(44)}${GUARDS.map(([name]) => name.padStart(24)).join('')}`);
const within = GUARDS.map(([, options]) => run(WITHIN, options));
let worstPacket = { ms: 0 };
let worstPerKib = { perKib: 0 };
WITHIN.forEach(([name, strings], index) => {
  const cells = GUARDS.map(([guardName], column) => {
    const { ms, code } = within[column][index];
    if (code !== undefined) throw new Error(`${name} was refused (${code}): fix the shape`);
    const perKib = ms / kib(strings);
    if (ms > worstPacket.ms) worstPacket = { ms, name, guardName };
    if (perKib > worstPerKib.perKib) worstPerKib = { perKib, name, guardName };
    return `${ms.toFixed(2)} (${perKib.toFixed(2)}/KiB)`.padStart(24);
  });
  console.log(`${name.padEnd(44)}${cells.join('')}`);
});
console.log(
  `worst packet: ${worstPacket.ms.toFixed(2)} ms (${worstPacket.name}, ${worstPacket.guardName}); ` +
    `worst per KiB: ${worstPerKib.perKib.toFixed(2)} ms (${worstPerKib.name}, ${worstPerKib.guardName})`,
);

console.log(
  `\nOver the budget, text escape: CPU per packet, refused (net of making the packet) vs markupBudget: false`,
);
const refused = run(OVER, {});
// The same loop with a guard that skips the event: what making the packet costs.
const making = run(OVER, { otherEvents: false });
const unbounded = run(OVER, { markupBudget: false });
OVER.forEach(([name], index) => {
  const net = Math.max(0, refused[index].ms - making[index].ms) * 1000;
  console.log(
    `${name.padEnd(40)}${`refused ${net.toFixed(2)} µs (${refused[index].code})`.padStart(36)}` +
      `${`no budget ${unbounded[index].ms.toFixed(1)} ms`.padStart(24)}`,
  );
});
