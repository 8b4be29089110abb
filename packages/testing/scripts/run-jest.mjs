#!/usr/bin/env node
// Runs the whole Jest suite and ends with a plain "N passed, N failed" line, taken
// from Jest's --json report (CI reads that line, not Jest's own summary).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-jest-'));
const report = join(dir, 'report.json');
// --forceExit: a handle left open by one test must never hang CI; the handle and memory
// tests of the guards check for leaks on purpose.
const args = ['--json', `--outputFile=${report}`, '--forceExit', ...process.argv.slice(2)];
// Jest's own entry run by this very Node binary: the same version as the one CI asked for,
// and no dependence on node_modules/.bin being on PATH.
const jestBin = join(
  dirname(createRequire(join(process.cwd(), 'package.json')).resolve('jest/package.json')),
  'bin/jest.js',
);
const run = spawnSync(process.execPath, [jestBin, ...args], { stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests;
  skipped = result.numPendingTests + (result.numTodoTests ?? 0);
  // A suite that fails to load has no failed test of its own: count it as one failure.
  const brokenSuites = result.testResults.filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.length === 0,
  ).length;
  failed = result.numFailedTests + brokenSuites;
} catch (error) {
  console.error(
    `Could not read the Jest report: ${error instanceof Error ? error.message : error}`,
  );
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });

const status = run.status ?? 1;
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
