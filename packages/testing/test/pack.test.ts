import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What users install is what we test: every public package is packed with `pnpm pack`
 * (which turns `workspace:` ranges into versions), the tarballs are installed with npm
 * into a project outside the workspace, and a small server runs with them through
 * `require` and `import`, and a consumer TypeScript file type-checks against them.
 */
const root = join(__dirname, '..', '..', '..');
const packagesDir = join(root, 'packages');
const fixtures = join(__dirname, 'fixtures', 'consumer');

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

const publicPackages = readdirSync(packagesDir)
  .map((folder) => join(packagesDir, folder))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
  }))
  .filter(({ manifest }) => manifest.private !== true);

let project = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'portcullis-consumer-'));
  const tarballs = join(project, 'tarballs');
  const dependencies: Record<string, string> = {
    'socket.io': '^4.8.4',
    'socket.io-client': '^4.8.4',
    '@types/node': '^20.19.0',
  };
  for (const { dir, manifest } of publicPackages) {
    const output = execFileSync('corepack', ['pnpm', 'pack', '--pack-destination', tarballs], {
      cwd: dir,
      encoding: 'utf8',
    });
    const file = output.trim().split('\n').pop() ?? '';
    dependencies[manifest.name] = `file:${file}`;
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2),
  );
  cpSync(fixtures, project, { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    stdio: 'pipe',
  });
}, 240_000);

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

function runNode(file: string): { ok?: boolean; guardError?: string } {
  const run = spawnSync(process.execPath, [file], {
    cwd: project,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`${file} failed:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
    ok?: boolean;
    guardError?: string;
  };
}

describe('packed tarballs in a project outside the workspace', () => {
  it('packs every public package, the preset included', () => {
    const names = publicPackages.map(({ manifest }) => manifest.name);
    expect(names).toEqual(
      expect.arrayContaining(['@portcullis/core', '@portcullis/auth', 'portcullis']),
    );
    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules', 'portcullis', 'package.json'), 'utf8'),
    ) as Manifest;
    // No workspace: protocol may leak into what users install.
    expect(JSON.stringify(installed.dependencies)).not.toContain('workspace:');
  });

  it('runs a guarded server through require()', () => {
    expect(runNode('server.cjs')).toMatchObject({ ok: true, guardError: 'FORBIDDEN' });
  });

  it('runs a guarded server through import', () => {
    expect(runNode('server.mjs')).toMatchObject({ ok: true, guardError: 'FORBIDDEN' });
  });

  it('type-checks a consumer file against the ESM and CommonJS types', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
