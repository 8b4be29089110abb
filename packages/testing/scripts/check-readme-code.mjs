#!/usr/bin/env node
// Type-checks every TypeScript block of every README under `strict`, and parses every
// JavaScript block, so a snippet cannot rot. Each block is compiled as a module in a
// scratch folder inside its own package (so it resolves that package's dependencies,
// and the package itself by name, the way a user's app would).
//
// A block may lean on a few names every snippet uses without declaring them. Server
// blocks (the default) get `io` (a socket.io Server), `httpServer`, `socket` (a server
// socket), `redis` (a Redis client), `token` and `userId`; client blocks (info string
// `ts client`, or a block importing socket.io-client or @portcullis/client) get `io`
// (socket.io-client's factory), `socket`, `token`, `URL`. Anything else a block uses
// comes from a hidden prelude in an HTML comment right above it:
//
//   <!-- prelude: declare const rooms: { isOwner(id: unknown, user?: string): boolean }; -->
//
// The block's own declarations shadow these. Exits 1 with `README:line: message` for
// each problem.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const tscBin = join(
  dirname(require.resolve('typescript/package.json', { paths: [root] })),
  'bin',
  'tsc',
);
const SCRATCH = '.readme-code';

const TS_LANGS = new Set(['ts', 'typescript']);
const JS_LANGS = new Set(['js', 'javascript', 'mjs']);

function readmes() {
  const found = [];
  if (existsSync(join(root, 'README.md')))
    found.push({ dir: join(root, 'packages', 'portcullis'), file: join(root, 'README.md') });
  for (const parent of ['packages', 'examples']) {
    const base = join(root, parent);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const file = join(base, name, 'README.md');
      if (existsSync(file)) found.push({ dir: join(base, name), file });
    }
  }
  return found;
}

/** The fenced code blocks of a README, with the hidden prelude above each. */
function blocksOf(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\w+)\s*(.*)$/.exec(lines[index]);
    if (open === null) continue;
    const [, lang, info] = open;
    const start = index + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const body = lines.slice(start, end).join('\n');
    // The nearest comment above (blank lines allowed) may hold a prelude.
    let prelude = '';
    let above = index - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    if (above >= 0 && lines[above].trim().endsWith('-->')) {
      let first = above;
      while (first >= 0 && !lines[first].includes('<!--')) first--;
      const comment = lines.slice(first, above + 1).join('\n');
      const match = /<!--\s*prelude:?\s*([\s\S]*?)-->/.exec(comment);
      if (match !== null) prelude = match[1].trim();
    }
    blocks.push({ lang, info, body, line: start + 1, prelude });
    index = end;
  }
  return blocks;
}

function isClientBlock(block) {
  return (
    /\bclient\b/.test(block.info) ||
    /from ['"](socket\.io-client|@portcullis\/client)['"]/.test(block.body)
  );
}

const SERVER_GLOBALS = `import type { Server, Socket } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import type { RedisClient } from '@portcullis/core';
declare global {
  var io: Server;
  var httpServer: HttpServer;
  var socket: Socket;
  var redis: RedisClient;
  var token: string;
  var userId: string;
}
export {};
`;

const CLIENT_GLOBALS = `import type { Socket, io as connect } from 'socket.io-client';
declare global {
  var io: typeof connect;
  var socket: Socket;
  var token: string;
  var URL: string;
}
export {};
`;

function tsconfig(files) {
  return JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        isolatedModules: true,
        ignoreDeprecations: '6.0',
      },
      files,
    },
    null,
    2,
  );
}

const problems = [];
let checked = 0;

for (const { dir, file } of readmes()) {
  const shown = relative(root, file);
  const scratch = join(dir, SCRATCH);
  rmSync(scratch, { recursive: true, force: true });
  const kinds = { server: [], client: [] };
  const origins = new Map();
  blocksOf(readFileSync(file, 'utf8')).forEach((block, number) => {
    if (JS_LANGS.has(block.lang)) {
      mkdirSync(scratch, { recursive: true });
      const path = join(scratch, `block-${number}.mjs`);
      writeFileSync(path, block.body);
      const run = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8' });
      checked++;
      if (run.status !== 0) {
        const detail = /SyntaxError: .*/.exec(run.stderr)?.[0] ?? run.stderr.trim();
        problems.push(`${shown}:${block.line}: ${detail}`);
      }
      return;
    }
    if (!TS_LANGS.has(block.lang)) return;
    mkdirSync(scratch, { recursive: true });
    const name = `block-${number}.ts`;
    const head = block.prelude === '' ? '' : `${block.prelude}\n`;
    writeFileSync(join(scratch, name), `${head}${block.body}\nexport {};\n`);
    origins.set(name, { line: block.line, offset: head === '' ? 0 : head.split('\n').length - 1 });
    (isClientBlock(block) ? kinds.client : kinds.server).push(name);
    checked++;
  });
  for (const [kind, files] of Object.entries(kinds)) {
    if (files.length === 0) continue;
    const globals = `${kind}-globals.d.ts`;
    writeFileSync(join(scratch, globals), kind === 'server' ? SERVER_GLOBALS : CLIENT_GLOBALS);
    const config = `tsconfig.${kind}.json`;
    writeFileSync(join(scratch, config), tsconfig([globals, ...files]));
    const run = spawnSync(
      process.execPath,
      [tscBin, '-p', join(scratch, config), '--pretty', 'false'],
      {
        encoding: 'utf8',
      },
    );
    if (run.status === 0) continue;
    for (const line of run.stdout.split('\n')) {
      const match = /^(?:.*[\\/])?(block-\d+\.ts|[\w.-]+\.d\.ts)\((\d+),(\d+)\): (.*)$/.exec(
        line.trim(),
      );
      if (match === null) {
        if (line.trim() !== '') problems.push(`${shown}: ${line.trim()}`);
        continue;
      }
      const [, name, row, , message] = match;
      const origin = origins.get(name);
      const at = origin === undefined ? '?' : origin.line + Number(row) - 1 - origin.offset;
      problems.push(`${shown}:${at}: ${message}`);
    }
  }
  if (process.env.KEEP_README_CODE === undefined) rmSync(scratch, { recursive: true, force: true });
}

for (const problem of problems) console.error(problem);
console.log(`README code: ${checked} blocks checked, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
