import type { CheckResult, CheckStatus, ProbeReport } from './report';

const STATUS_LABEL: Readonly<Record<CheckStatus, string>> = {
  pass: 'pass',
  fail: 'FAIL',
  'no-answer': 'no answer',
  'not-applicable': 'n/a',
};

/** Marks an attempt that did not pass: `!` accepted, `?` no answer, `~` cannot judge. */
const VERDICT_MARK: Readonly<Record<CheckStatus, string>> = {
  pass: '',
  fail: '! ',
  'no-answer': '? ',
  'not-applicable': '~ ',
};

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1) return '<1 ms';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

type Row = readonly [
  check: string,
  result: string,
  attempt: string,
  received: string,
  time: string,
];

function rowsOf(result: CheckResult): Row[] {
  const status = STATUS_LABEL[result.status];
  if (result.evidence.length === 0) return [[result.id, status, '-', '', '']];
  return result.evidence.map((item, index) => [
    index === 0 ? result.id : '',
    index === 0 ? status : '',
    clip(item.attempt, 46),
    clip(`${VERDICT_MARK[item.verdict]}${item.received}`, 36),
    formatMs(item.ms),
  ]);
}

/**
 * The report as a table for people: one line per attempt (what was sent, what came
 * back, how fast), then what was seen for each check that did not pass. `!` marks an
 * attempt the server accepted, `?` one it did not answer in time, `~` one that cannot
 * be judged.
 */
export function formatReport(report: ProbeReport): string {
  const header: Row = ['check', 'result', 'attempt', 'received', 'time'];
  const rows = [header, ...report.results.flatMap(rowsOf)];
  const widths = header.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] as string).length)),
  );
  const line = (row: Row): string =>
    row
      .map((cell, column) =>
        column === row.length - 1
          ? cell.padStart(widths[column] as number)
          : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  const seconds = (report.durationMs / 1000).toFixed(1);
  const out = [
    `Portcullis probe of ${report.target} (${report.addresses.join(', ')}): ${report.results.length} checks in ${seconds} s, ${report.connections.used} connections`,
    '',
    ...rows.map(line),
    '',
  ];
  for (const result of report.results) {
    if (result.status === 'pass') continue;
    out.push(`${STATUS_LABEL[result.status]}  ${result.id}: ${result.summary}`);
  }
  out.push(
    `${report.passed} passed, ${report.failed} failed, ${report.noAnswer} no answer, ${report.notApplicable} not applicable`,
  );
  return out.join('\n');
}
