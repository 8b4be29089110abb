/** How the message guard reads its options: checked once, in the factory. */
import { KeyedScope } from './keyed-scope';
import {
  isLimiter,
  limitEntries,
  toWindowSpec,
  type Limits,
  type RateLimit,
  type WindowSpec,
} from './limit-spec';
import type { ResolvedStoreOptions } from './store-options';

export interface EventLimit {
  /** Anonymous sockets: counted on the socket. */
  readonly specs: readonly WindowSpec[];
  /** Authenticated users: counted per user id (in Redis when given). */
  readonly users: KeyedScope;
}

export function checkCost(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TypeError(`${option} must be 0 or a positive integer; got ${String(value)}.`);
  }
  return value;
}

/** Per-socket and per-event windows live on the socket, so they must be described. */
export function describedWindow(limit: RateLimit, label: string): WindowSpec {
  if (isLimiter(limit)) {
    throw new TypeError(
      `${label} takes { points, durationMs, blockDurationMs? } only (it is counted on the socket); ` +
        'pass a limiter you built to perUser or global instead.',
    );
  }
  return toWindowSpec(limit, label);
}

export function optionalScope(scope: KeyedScope): KeyedScope | undefined {
  return scope.isEmpty ? undefined : scope;
}

export function buildEventLimits(
  perEvent: Readonly<Record<string, Limits<RateLimit>>> | undefined,
  store: ResolvedStoreOptions,
): Map<unknown, EventLimit> | undefined {
  if (perEvent === undefined) return undefined;
  if (typeof perEvent !== 'object' || perEvent === null) {
    throw new TypeError("perEvent must be an object: { 'file:upload': { points, durationMs } }.");
  }
  const limits = new Map<unknown, EventLimit>();
  for (const [event, eventLimits] of Object.entries(perEvent)) {
    const list = limitEntries(eventLimits, false, `perEvent[${JSON.stringify(event)}]`);
    const specs = list.map(({ limit, label }) => describedWindow(limit, label));
    if (specs.length === 0) continue;
    limits.set(event, { specs, users: KeyedScope.build(`event:${event}`, list, store) });
  }
  return limits.size === 0 ? undefined : limits;
}

/** A cost above a window's points could never pass: say so at set-up. */
export function assertCostsCanPass(
  costs: ReadonlyMap<unknown, number>,
  defaultCost: number,
  scopes: readonly [string, readonly WindowSpec[]][],
): void {
  const entries: [string, number][] = [['defaultCost', defaultCost]];
  for (const [event, cost] of costs) entries.push([`costs[${JSON.stringify(event)}]`, cost]);
  for (const [option, cost] of entries) {
    for (const [scope, specs] of scopes) {
      for (const spec of specs) {
        if (cost > spec.points) {
          throw new TypeError(
            `${option} is ${cost}, above the ${spec.points} points ${scope} allows per window: ` +
              'that event could never pass. Lower the cost or raise the points.',
          );
        }
      }
    }
  }
}
