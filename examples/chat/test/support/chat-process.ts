import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLE_DIR = join(__dirname, '..', '..');
const REPO_DIR = join(EXAMPLE_DIR, '..', '..');
const READY = /node (\S+) ready at (http:\/\/\S+)/;
const START_TIMEOUT_MS = 15_000;

/** A security event the chat printed (one JSON line of its audit log). */
export interface LoggedEvent {
  type: string;
  code?: string;
  origin?: string;
  userId?: string;
  guard?: string;
  detail?: Record<string, string | number | boolean>;
}

/** The chat server as a real child process, started the way the README says. */
export interface ChatProcess {
  /** One URL per node, ordered by node name (`a`, `b`; `solo` alone). */
  readonly urls: string[];
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** The security events it printed so far. */
  events(): LoggedEvent[];
  stop(): Promise<void>;
}

/** The server runs the built packages (`import 'portcullis'`): say so if they are missing. */
function requireBuild(): void {
  const needed = ['packages/portcullis/dist/index.js', 'packages/client/dist/index.js'];
  const missing = needed.filter((file) => !existsSync(join(REPO_DIR, file)));
  if (missing.length > 0) {
    throw new Error(
      `The chat example runs the built packages; missing ${missing.join(', ')}. Run "corepack pnpm build" first.`,
    );
  }
}

/**
 * Starts `src/server.mjs` (one node) or `src/cluster.mjs` (two nodes) with PORT=0 and
 * resolves once every node has printed "ready at <url>". Fails with the process output
 * when it exits or stays silent.
 */
export async function startChatProcess(
  script: 'server.mjs' | 'cluster.mjs',
  env: Record<string, string> = {},
): Promise<ChatProcess> {
  requireBuild();
  const nodes = script === 'cluster.mjs' ? 2 : 1;
  const child: ChildProcess = spawn(process.execPath, [join(EXAMPLE_DIR, 'src', script)], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const urls = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${script} printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const check = (): void => {
      const found = output
        .split('\n')
        .map((line) => READY.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        // Nodes print in any order: sort by name (a, b).
        .sort((left, right) => String(left[1]).localeCompare(String(right[1])))
        .map((match) => match[2] as string);
      if (found.length >= nodes) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(found);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}) before it was ready:\n${output}`));
    });
  });

  return {
    urls,
    output: () => output,
    events: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as LoggedEvent];
          } catch {
            return [];
          }
        }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
