import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { runProbe, type CheckId } from '@portcullis/probe';

const PRESET_README = join(__dirname, '..', '..', 'portcullis', 'README.md');

/** The first TypeScript block under "## Quick start" of the preset's README, as written. */
function quickStartBlock(): string {
  const readme = readFileSync(PRESET_README, 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('no ts block under "## Quick start" in the README');
  return block;
}

/** Runs the block in a child process (after its types are stripped); resolves with its port. */
async function startQuickStart(secret: string): Promise<{ child: ChildProcess; port: number }> {
  const { outputText } = ts.transpileModule(quickStartBlock(), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  // Inside this package, so `portcullis`, `joi` and `socket.io` resolve as in an app.
  const file = join(__dirname, '..', `.quick-start-${process.pid}.mjs`);
  writeFileSync(
    file,
    `${outputText}\nhttpServer.on('listening', () => console.log('PORT ' + httpServer.address().port));\n`,
  );
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, JWT_SECRET: secret, PORT: '0', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Node has read the file once the process runs it: the port (or the exit) says so.
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port within 15 s:\n${output}`)), 15_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /PORT (\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Quick start exited (${String(code)}):\n${output}`));
    });
  });
  try {
    return { child, port: await ready };
  } finally {
    rmSync(file, { force: true });
  }
}

describe("the preset README's Quick start", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill();
  });

  it('passes every probe check that applies, with the command the README gives', async () => {
    const secret = randomBytes(32).toString('base64url');
    const started = await startQuickStart(secret);
    child = started.child;
    const report = await runProbe({
      url: `http://127.0.0.1:${started.port}`,
      origin: 'https://chat.example.com',
      hs256Secret: secret,
      event: 'chat:send',
      payload: { text: 'hi' },
      sanitizedFields: ['text'],
    });
    const statuses = Object.fromEntries(report.results.map(({ id, status }) => [id, status]));
    const notApplicable: CheckId[] = ['foreign-room', 'replay', 'logout'];
    for (const { id, status, summary } of report.results) {
      expect([id, status, summary]).toEqual([
        id,
        notApplicable.includes(id) ? 'not-applicable' : 'pass',
        summary,
      ]);
    }
    expect(statuses.baseline).toBe('pass');
    expect(report.ok).toBe(true);
  }, 90_000);
});
