import { join } from 'node:path';
import { delay, onCleanup } from '@portcullis/testing';
import type { ChildServerConfig, ServerStats } from '../src/protocol';
import { startServerProcess, type ServerProcess } from '../src/server-process';

export const PACKAGE_DIR = join(__dirname, '..');

/** A child server with the whole preset, stopped after the test. */
export async function presetProcess(config: ChildServerConfig = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ packageDir: PACKAGE_DIR, config });
  onCleanup(() => server.stop());
  return server;
}

/** Polls the server's stats until `condition` holds; fails with the last stats. */
export async function statsUntil(
  server: ServerProcess,
  condition: (stats: ServerStats) => boolean,
  { timeoutMs = 15_000, gc = false }: { timeoutMs?: number; gc?: boolean } = {},
): Promise<ServerStats> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const stats = await server.stats({ gc });
    if (condition(stats)) return stats;
    if (Date.now() > end) throw new Error(`condition not met; last stats ${JSON.stringify(stats)}`);
    await delay(200);
  }
}

/** Waits until `condition` holds. */
export async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await delay(50);
  }
}

/** The health checks every suite ends with: still up, nothing fatal, nothing on stderr. */
export function expectHealthy(server: ServerProcess): void {
  expect(server.exit()).toBeUndefined();
  expect(server.fatal).toEqual([]);
  expect(server.warnings).toEqual([]);
  expect(server.stderr()).toBe('');
}

/** One line for the test log, so the run's figures show next to its verdict. */
export function report(label: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[reliability] ${label}: ${JSON.stringify(figures)}\n`);
}
