import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { freePort, pingRedis, pollUntil } from './redis';
import { closeIoredis } from './redis-clients';

/** A Redis Cluster of loopback `redis-server` processes this test run started. */
export interface OwnRedisCluster {
  /** `{ host, port }` of each master, for `new Cluster(nodes)`. */
  readonly nodes: readonly { host: string; port: number }[];
  /** A connected ioredis `Cluster` client (closed by `stop`). */
  readonly client: Cluster;
  stop(): Promise<void>;
}

const SLOTS = 16384;

async function until(test: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  if (!(await pollUntil(test, ms))) throw new Error(`Redis Cluster: ${what} within ${ms} ms`);
}

/**
 * Starts `masters` `redis-server --cluster-enabled yes` processes on free loopback
 * ports (nothing kept on disk but their cluster files, in a scratch folder), splits the
 * 16384 slots between them and joins them (`CLUSTER ADDSLOTSRANGE`, `CLUSTER MEET`: no
 * `redis-cli`), then waits for `cluster_state:ok`. Rejects when `redis-server` is
 * missing: the test fails, it is not skipped.
 */
export async function startRedisCluster(masters = 3): Promise<OwnRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-redis-cluster-'));
  const ports: number[] = [];
  for (let index = 0; index < masters; index++) ports.push(await freePort());
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const stopAll = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const failed = Promise.race(
      children.map((child) => new Promise<never>((_, reject) => child.once('error', reject))),
    );
    await Promise.race([
      failed,
      Promise.all(
        ports.map((port) =>
          until(() => pingRedis(`redis://127.0.0.1:${port}`), `port ${port} did not answer`),
        ),
      ),
    ]);
    const admins = ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true }));
    try {
      await Promise.all(admins.map((admin) => admin.connect()));
      const share = Math.ceil(SLOTS / masters);
      await Promise.all(
        admins.map((admin, index) =>
          admin.call(
            'CLUSTER',
            'ADDSLOTSRANGE',
            index * share,
            Math.min(SLOTS, (index + 1) * share) - 1,
          ),
        ),
      );
      for (const port of ports.slice(1)) {
        await (admins[0] as Redis).call('CLUSTER', 'MEET', '127.0.0.1', port);
      }
      await until(
        async () =>
          (await Promise.all(admins.map((admin) => admin.call('CLUSTER', 'INFO')))).every((info) =>
            String(info).includes('cluster_state:ok'),
          ),
        'the nodes did not agree on cluster_state:ok',
      );
    } finally {
      admins.forEach((admin) => admin.disconnect());
    }
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    const client = new Cluster(nodes, { lazyConnect: true });
    await client.connect();
    return {
      nodes,
      client,
      async stop() {
        await closeIoredis(client);
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
