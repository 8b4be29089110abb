import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from 'jest';

/**
 * One Jest project per package that has a `test/` folder. TypeScript goes through
 * @swc/jest (no type-checking here: `tsc` does that in the test command).
 *
 * ESM-only dependencies (jose 6, and the htmlparser2 family under sanitize-html) are
 * transformed to CommonJS by the same swc transform, because Jest's CommonJS runtime
 * cannot `require()` an ES module. pnpm stores them under
 * `node_modules/.pnpm/<name>@<version>/node_modules/<name>/`, so the ignore pattern must
 * let those real paths through; the usual `node_modules/(?!jose/)` does not match them.
 * See README.md ("Why jose is transformed under Jest").
 */
const ESM_ONLY = [
  'jose',
  'htmlparser2',
  'domhandler',
  'domutils',
  'dom-serializer',
  'domelementtype',
  'entities',
];

const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const esmOnly = ESM_ONLY.map(escape).join('|');

const transform: Config['transform'] = {
  '^.+\\.(t|j|mj|cj)sx?$': [
    '@swc/jest',
    {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    },
  ],
};

const transformIgnorePatterns = [
  `/node_modules/(?!(\\.pnpm/(${esmOnly})@[^/]+/node_modules/)?(${esmOnly})/)`,
];

// Node 20 loads this file through ts-node as CommonJS (`__dirname`); Node 22.18+ strips
// the types itself and loads it as an ES module, where `__dirname` does not exist. Jest
// always runs from the repository root (the scripts in package.json), so the working
// directory stands in for it there.
const rootDir = typeof __dirname === 'string' ? __dirname : process.cwd();
const packagesDir = join(rootDir, 'packages');
const examplesDir = join(rootDir, 'examples');

/** Every workspace folder with a `test/` folder becomes one project, named after it. */
const projectDirs = [packagesDir, examplesDir]
  .filter((parent) => existsSync(parent))
  .flatMap((parent) => readdirSync(parent).map((name) => ({ name, dir: join(parent, name) })))
  .filter(({ dir }) => existsSync(join(dir, 'test')));

// Tests run against the TypeScript sources of every workspace package.
const moduleNameMapper: Config['moduleNameMapper'] = {
  '^@portcullis/testing/(.*)$': `${packagesDir}/testing/src/$1`,
  '^@portcullis/([a-z-]+)$': `${packagesDir}/$1/src/index.ts`,
  '^portcullis$': `${packagesDir}/portcullis/src/index.ts`,
};

const config: Config = {
  // Real servers and sockets: generous per-test time on a loaded 2-core machine.
  testTimeout: 20000,
  globalSetup: '<rootDir>/packages/testing/src/redis-global-setup.ts',
  globalTeardown: '<rootDir>/packages/testing/src/redis-global-teardown.ts',
  transform,
  transformIgnorePatterns,
  projects: projectDirs.map(({ name, dir }) => ({
    displayName: name,
    rootDir: dir,
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testEnvironment: 'node',
    transform,
    transformIgnorePatterns,
    moduleNameMapper,
    setupFilesAfterEnv: [`${packagesDir}/testing/src/jest-setup.ts`],
  })),
};

export default config;
