import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An app may load one guard through `require` and another through `import`, which puts
 * two copies of @portcullis/core in the process (each package ships both builds). Core
 * keeps its state once per process anyway: one bus, one settings table, one refusal
 * path. This runs the built packages in a fresh Node process.
 */
describe('one copy of core state per process', () => {
  it('shares the bus, the settings and the refusal listeners between require and import', () => {
    // Evaluated as module text in the preset's folder, so `import()` resolves from there.
    const script = readFileSync(join(__dirname, 'fixtures', 'one-core.mjs'), 'utf8');
    const run = spawnSync(process.execPath, ['--input-type', 'module', '-e', script], {
      cwd: join(__dirname, '..', '..', 'portcullis'),
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (run.status !== 0) throw new Error(`the fixture failed:\n${run.stderr}`);
    expect(JSON.parse(run.stdout)).toEqual({
      twoCopiesLoaded: true,
      oneBus: true,
      oneSettingsTable: true,
      refusedOnAnEvent: true,
      oneRefusalPath: true,
      oneBusHeardTheRefusal: true,
    });
  });
});
