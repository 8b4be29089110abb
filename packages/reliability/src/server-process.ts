import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CHILD_CONFIG_ENV,
  type ChildMessage,
  type ChildRequest,
  type ChildServerConfig,
  type ServerStats,
} from './protocol';

type Fatal = Extract<ChildMessage, { type: 'fatal' }>;
type Warning = Extract<ChildMessage, { type: 'warning' }>;
type RequestBody = ChildRequest extends infer R
  ? R extends ChildRequest
    ? Omit<R, 'id'>
    : never
  : never;

/** A child process running the preset (src/child/server-main.ts), seen from its parent. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** What the child wrote to stderr so far. */
  stderr(): string;
  /** Uncaught exceptions and unhandled rejections the child reported. */
  readonly fatal: readonly Fatal[];
  /** Process warnings (MaxListenersExceededWarning and the like). */
  readonly warnings: readonly Warning[];
  /** `undefined` while it runs; its exit code (or signal) once it has ended. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves once the process has ended, however it ended. */
  exited(): Promise<void>;
  stats(options?: { gc?: boolean }): Promise<ServerStats>;
  revokeUser(userId: string): Promise<void>;
  broadcast(room: string, event: string, payload: unknown): Promise<void>;
  socketsOfUser(userId: string): Promise<number>;
  /** Closes the server and waits for the process to end (killed after 5 s). */
  stop(): Promise<void>;
}

export interface StartServerProcessOptions {
  /** This package's folder (where `src/` and `loader/` are). */
  packageDir: string;
  config?: ChildServerConfig;
  /** Milliseconds to wait for the server to listen. Default 20 s (a cold start compiles). */
  startTimeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Forks a server with the whole preset, reading the guards' TypeScript sources through
 * loader/register.mjs, with `--expose-gc` so heap figures can be taken after a GC.
 * Resolves once it listens on 127.0.0.1.
 */
export async function startServerProcess(
  options: StartServerProcessOptions,
): Promise<ServerProcess> {
  const { packageDir, config = {}, startTimeoutMs = 20_000 } = options;
  const child: ChildProcess = fork(join(packageDir, 'src', 'child', 'server-main.ts'), [], {
    execArgv: [
      '--import',
      pathToFileURL(join(packageDir, 'loader', 'register.mjs')).href,
      '--expose-gc',
      '--enable-source-maps',
    ],
    env: { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const fatal: Fatal[] = [];
  const warnings: Warning[] = [];
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      for (const waiter of pending.values())
        waiter.reject(new Error(`server process ended (${code ?? signal})`));
      pending.clear();
      resolve();
    });
  });

  let ready: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolve) => {
    ready = resolve;
  });
  child.on('message', (message: ChildMessage) => {
    switch (message.type) {
      case 'ready':
        ready(message.port);
        break;
      case 'reply': {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.result);
        break;
      }
      case 'fatal':
        fatal.push(message);
        break;
      case 'warning':
        warnings.push(message);
        break;
    }
  });

  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    listening,
    exited.then(() => {
      throw new Error(`server process ended before listening: ${stderr}`);
    }),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`server process did not listen: ${stderr}`)),
        startTimeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));

  let nextId = 0;
  const request = <T>(body: RequestBody): Promise<T> => {
    if (exitInfo !== undefined) return Promise.reject(new Error('server process has ended'));
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      const timeout = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`no answer to ${body.cmd} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timeout);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timeout);
          reject(error);
        },
      });
      child.send({ ...body, id } as ChildRequest);
    });
  };

  const stop = async (): Promise<void> => {
    if (exitInfo === undefined) {
      await request({ cmd: 'close' }).catch(() => undefined);
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    }
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    stderr: () => stderr,
    fatal,
    warnings,
    exit: () => exitInfo,
    exited: () => exited,
    stats: (statsOptions = {}) =>
      request<ServerStats>({ cmd: 'stats', gc: statsOptions.gc ?? false }),
    revokeUser: (userId) => request<void>({ cmd: 'revokeUser', userId }),
    broadcast: (room, event, payload) => request<void>({ cmd: 'broadcast', room, event, payload }),
    socketsOfUser: (userId) => request<number>({ cmd: 'socketsOfUser', userId }),
    stop,
  };
}
