// Writes the results: JSON, a Markdown table, an SVG chart, and bench/README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const fmt = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

export function markdownTables(summary) {
  const lines = [];
  for (const table of summary.tables) {
    lines.push(`### ${table.title}`, '', `| ${table.columns.join(' | ')} |`);
    lines.push(`|${table.columns.map(() => '---').join('|')}|`);
    for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

export function svgChart(title, bars) {
  const width = 720;
  const rowHeight = 26;
  const left = 170;
  const height = 50 + bars.length * rowHeight;
  const max = Math.max(1.2, ...bars.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0)));
  const scale = (width - left - 80) / max;
  const rows = bars
    .map((bar, index) => {
      const y = 36 + index * rowHeight;
      const value = Number.isFinite(bar.value) ? bar.value : 0;
      const color =
        bar.name === 'bare' ? '#888' : value >= (bar.target ?? 0) ? '#2b8a3e' : '#c92a2a';
      return [
        `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="13">${bar.name}</text>`,
        `<rect x="${left}" y="${y}" width="${(value * scale).toFixed(1)}" height="18" fill="${color}"/>`,
        `<text x="${left + value * scale + 6}" y="${y + 14}" font-size="12">${ratio(bar.value)}</text>`,
      ].join('');
    })
    .join('\n');
  const oneX = left + scale;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" font-size="15" font-weight="bold">${title}</text>
<line x1="${oneX}" y1="30" x2="${oneX}" y2="${height - 8}" stroke="#333" stroke-dasharray="4 3"/>
${rows}
</svg>
`;
}

/**
 * Formats what was written with the repository's Prettier, when it can be found, so the
 * committed results pass the format check; without it the files stay as written.
 */
async function formatFiles(files) {
  let prettier;
  try {
    prettier = await import('prettier');
  } catch {
    return;
  }
  for (const file of files) {
    const options = (await prettier.resolveConfig(file)) ?? {};
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
  }
}

export async function writeResults(summary, { partial = false } = {}) {
  const resultsDir = join(benchDir, 'results');
  if (partial) {
    const file = join(resultsDir, 'partial.json');
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    await formatFiles([file]);
    return;
  }
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const tables = markdownTables(summary);
  writeFileSync(join(resultsDir, 'latest.md'), tables);
  for (const chart of summary.charts) {
    writeFileSync(join(resultsDir, chart.file), svgChart(chart.title, chart.bars));
  }
  const readmePath = join(benchDir, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const machine = summary.machine;
  const block = [
    '<!-- results:start -->',
    `Measured ${summary.finishedAt} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ${machine.os}, Node.js ${machine.node}; ${summary.rounds} rounds in ${summary.seconds} s, load average ${machine.loadAverageAtEnd.join(' / ')} at the end. Medians, with [min–max] over the rounds (ratios are taken within each round).`,
    '',
    ...summary.charts.map((chart) => `![${chart.title}](results/${chart.file})`),
    '',
    tables,
    '<!-- results:end -->',
  ].join('\n');
  writeFileSync(
    readmePath,
    readme.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, block),
  );
  await formatFiles([join(resultsDir, 'latest.json'), join(resultsDir, 'latest.md'), readmePath]);
}

export { fmt, ratio };
