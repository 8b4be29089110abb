/**
 * What one packet costs against the per-socket, per-user and global windows: its
 * event's cost, plus, with `costPerKiB`, a part that grows with the packet's size, so
 * that large packets (which cost the server parsing, validation and sanitising work in
 * proportion to their size) exhaust a limit sooner than small ones.
 */
import { packetBytesOf } from '@portcullis/core';
import type { WindowSpec } from './limit-spec';

const KIB = 1024;

/**
 * The name Socket.io dispatches an event under: its parser accepts a number as event
 * name and runs the listener registered under the number's string form (`1` runs
 * `'1'`), so rules are looked up by that form. Strings, the normal case, are returned
 * as they are; only a number is converted.
 */
export function eventKey(name: unknown): unknown {
  return typeof name === 'number' ? String(name) : name;
}

/**
 * The highest cost a size may add up to: the fewest points of any window the cost is
 * charged to. A packet at that cost empties a fresh window, and is never refused
 * outright, which a cost above the window's points would do (a `RATE_LIMITED` whose
 * `retryAfterMs` could never help). Limiters the user built are not counted: their
 * points are their own business.
 */
export function sizeCostCeiling(scopes: readonly (readonly WindowSpec[])[]): number {
  let ceiling = Infinity;
  for (const specs of scopes) for (const spec of specs) ceiling = Math.min(ceiling, spec.points);
  return ceiling;
}

export interface PacketCostOptions {
  readonly costs: ReadonlyMap<unknown, number>;
  readonly defaultCost: number;
  /** `false`: the base cost alone. */
  readonly costPerKiB: number | false;
  readonly ceiling: number;
  /** Called (once) the first time a packet arrives that no guard measured. */
  readonly onUnmeasured: () => void;
}

/**
 * Builds the cost function of a message guard:
 * `base + costPerKiB * floor(bytes / 1024)`, at most `ceiling` (never below `base`),
 * where `base` is the event's cost (or `defaultCost`) and `bytes` the size
 * `@portcullis/size-limit` measured on the packet's raw frames (core's `packetBytesOf`).
 * Whole KiB only: a packet under 1 KiB costs its base, as it would without
 * `costPerKiB`, so turning it on leaves small messages at the rate they had. Without
 * a measurement (size-limit not installed), the base alone, after one warning.
 */
export function packetCost(
  options: PacketCostOptions,
): (key: unknown, packet: readonly unknown[]) => number {
  const { costs, defaultCost, costPerKiB, ceiling, onUnmeasured } = options;
  if (costPerKiB === false) return (key) => costs.get(key) ?? defaultCost;
  let warned = false;
  return (key, packet) => {
    const base = costs.get(key) ?? defaultCost;
    const bytes = packetBytesOf(packet);
    if (bytes === undefined) {
      if (!warned) {
        warned = true;
        onUnmeasured();
      }
      return base;
    }
    const kib = Math.floor(bytes / KIB);
    if (kib === 0) return base;
    return Math.max(base, Math.min(base + kib * costPerKiB, ceiling));
  };
}
