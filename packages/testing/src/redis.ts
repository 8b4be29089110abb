import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/** The variable the Jest global set-up leaves for test workers. */
export const TEST_REDIS_ENV = 'PORTCULLIS_TEST_REDIS_URL';

/** Answers `true` when a Redis server responds to PING at `url` within a second. */
export async function pingRedis(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    // ioredis waits 2 s by default before closing the socket; Jest would wait with it.
    disconnectTimeout: 50,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A `redis-server` this process started on its own port, with nothing kept on disk. */
export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL-free: SIGTERM, then wait for exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), e.g. for outage tests. */
  start(): Promise<void>;
}

/** Asks `test` every 100 ms until it answers `true` (then `true`) or `deadlineMs` pass. */
export async function pollUntil(
  test: () => Promise<boolean>,
  deadlineMs: number,
): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await test()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` on 127.0.0.1.
 * Rejects when the binary is missing or the server does not answer within 5 s.
 */
export async function startOwnRedis(port?: number): Promise<OwnRedis> {
  const chosenPort = port ?? (await freePort());
  const url = `redis://127.0.0.1:${chosenPort}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const spawned = spawn(
      'redis-server',
      ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    child = spawned;
    const failed = new Promise<Error>((resolve) => spawned.once('error', resolve));
    const up = pollUntil(() => pingRedis(url), 5000);
    const outcome = await Promise.race([up, failed]);
    if (outcome !== true) {
      spawned.kill();
      throw outcome instanceof Error
        ? outcome
        : new Error(`redis-server did not answer on port ${chosenPort}`);
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return { url, port: chosenPort, stop, start };
}

/** `REDIS_URL`, else 127.0.0.1:6379 when it answers; `undefined` otherwise. */
export async function findRunningRedis(): Promise<string | undefined> {
  const candidates = [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter(
    (url): url is string => typeof url === 'string' && url.length > 0,
  );
  for (const url of candidates) {
    if (await pingRedis(url)) return url;
  }
  return undefined;
}

/**
 * The Redis URL tests should use, as found by the Jest global set-up.
 * Throws (so the test fails loudly) when no Redis could be had.
 */
export function testRedisUrl(): string {
  const url = process.env[TEST_REDIS_ENV];
  if (url === undefined || url === '') {
    throw new Error(
      'This test needs Redis: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server.',
    );
  }
  return url;
}

/** `true` when the global set-up found or started a Redis server. */
export function hasTestRedis(): boolean {
  const url = process.env[TEST_REDIS_ENV];
  return url !== undefined && url !== '';
}
