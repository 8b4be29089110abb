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
const tarballFiles: { name: string; file: string }[] = [];
const privateNames = new Set(
  readdirSync(packagesDir)
    .map((folder) => join(packagesDir, folder, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as Manifest)
    .filter((manifest) => manifest.private === true)
    .map((manifest) => manifest.name),
);

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
    tarballFiles.push({ name: manifest.name, file });
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

  it('ships no workspace: range, no private package, and its license, in any tarball', () => {
    for (const { name } of tarballFiles) {
      const dir = join(project, 'node_modules', ...name.split('/'));
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest & {
        peerDependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      const ranges = {
        ...manifest.dependencies,
        ...manifest.peerDependencies,
        ...manifest.optionalDependencies,
      };
      expect({ name, workspace: JSON.stringify(ranges).includes('workspace:') }).toEqual({
        name,
        workspace: false,
      });
      expect({ name, private: Object.keys(ranges).filter((dep) => privateNames.has(dep)) }).toEqual(
        {
          name,
          private: [],
        },
      );
      expect({ name, license: existsSync(join(dir, 'LICENSE')) }).toEqual({ name, license: true });
    }
  });

  it('passes publint and arethetypeswrong on every tarball', () => {
    const bin = (tool: string) => join(root, 'node_modules', '.bin', tool);
    for (const { name, file } of tarballFiles) {
      const lint = spawnSync(bin('publint'), [file, '--strict'], { encoding: 'utf8' });
      expect({ name, publint: lint.status, output: lint.status === 0 ? '' : lint.stdout }).toEqual({
        name,
        publint: 0,
        output: '',
      });
      const types = spawnSync(bin('attw'), [file, '--format', 'ascii'], { encoding: 'utf8' });
      expect({ name, attw: types.status, output: types.status === 0 ? '' : types.stdout }).toEqual({
        name,
        attw: 0,
        output: '',
      });
    }
  }, 120_000);

  it('runs a guarded server through require()', () => {
    expect(runNode('server.cjs')).toMatchObject({ ok: true, guardError: 'FORBIDDEN' });
  });

  it('runs a guarded server through import', () => {
    expect(runNode('server.mjs')).toMatchObject({ ok: true, guardError: 'FORBIDDEN' });
  });

  it.each(['tsconfig.json', 'tsconfig.bundler.json'])(
    'type-checks a consumer against the ESM and CommonJS types (%s: nodenext, bundler)',
    (config) => {
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const run = spawnSync(process.execPath, [tsc, '-p', config], {
        cwd: project,
        encoding: 'utf8',
      });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    },
  );
});
