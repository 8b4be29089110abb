import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every public package, as built in `dist/`, loads through both `require` and `import`
 * in a fresh Node process, and both give the same exports. The package resolves itself
 * by name (Node's self-reference), so this goes through the real `exports` map.
 */
const packagesDir = join(__dirname, '..', '..');

interface Manifest {
  name: string;
  private?: boolean;
  exports?: unknown;
}

const publicPackages = readdirSync(packagesDir)
  .map((folder) => ({ folder, dir: join(packagesDir, folder) }))
  .filter(({ dir }) => existsSync(join(dir, 'package.json')))
  .map(({ folder, dir }) => ({
    folder,
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
  }))
  .filter(({ manifest }) => manifest.private !== true && manifest.exports !== undefined);

function exportNames(dir: string, script: string, type: 'commonjs' | 'module'): string[] {
  const run = spawnSync(process.execPath, ['--input-type', type, '-e', script], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${type} load failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

describe('built packages load with require and import', () => {
  it('finds the public packages', () => {
    expect(publicPackages.map(({ manifest }) => manifest.name)).toContain('@portcullis/core');
  });

  it.each(publicPackages.map(({ manifest, dir }) => [manifest.name, dir]))('%s', (name, dir) => {
    expect(existsSync(join(dir, 'dist'))).toBe(true);
    const required = exportNames(
      dir,
      `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)})).sort()))`,
      'commonjs',
    );
    const imported = exportNames(
      dir,
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`,
      'module',
    );
    expect(required.length).toBeGreaterThan(0);
    expect(imported).toEqual(required);
  });
});
