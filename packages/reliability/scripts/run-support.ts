import { fileURLToPath } from 'node:url';
import type { ServerStats } from '../src/protocol';

/** This package's folder, for `startServerProcess`. */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** The figures of one stats sample worth printing. */
export function figures(stats: ServerStats): Record<string, unknown> {
  return {
    heapUsedMB: mb(stats.memory.heapUsed),
    rssMB: mb(stats.memory.rss),
    maxRssMB: mb(stats.maxRssBytes),
    activeResources: stats.activeResources,
    engineClients: stats.engineClients,
    sockets: stats.sockets,
    rooms: stats.rooms,
    rateLimitKeys: stats.rateLimitKeys,
    revocationUsers: stats.revocationUsers,
    connectionLimit: stats.connectionLimit,
  };
}

/** Prints a failure and sets a failing exit code, without throwing mid-report. */
export function check(ok: boolean, message: string): boolean {
  if (!ok) {
    process.exitCode = 1;
    console.error(`FAIL: ${message}`);
  }
  return ok;
}

/**
 * The script's own arguments. `pnpm <script> -- --flag` hands the `--` over as an
 * argument, which `parseArgs` would take for the end of the options.
 */
export function scriptArgs(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}
