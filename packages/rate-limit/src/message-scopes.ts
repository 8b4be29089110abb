/** The scopes of the message guard, built once from options the spec has checked. */
import type { ClockSource } from './clock';
import { KeyedScope } from './keyed-scope';
import {
  limitList,
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

/** Per-socket and per-event windows live on the socket: described windows only. */
export function describedWindows(
  limits: Limits<RateLimit> | undefined,
  fallback: Limits<RateLimit>,
): WindowSpec[] {
  return limitList(limits, fallback).map(toWindowSpec);
}

export function optionalScope(scope: KeyedScope): KeyedScope | undefined {
  return scope.isEmpty ? undefined : scope;
}

export function buildEventLimits(
  perEvent: Readonly<Record<string, Limits<RateLimit>>> | undefined,
  store: ResolvedStoreOptions,
  clock: ClockSource,
): Map<unknown, EventLimit> | undefined {
  if (perEvent === undefined) return undefined;
  const limits = new Map<unknown, EventLimit>();
  for (const [event, eventLimits] of Object.entries(perEvent)) {
    if (eventLimits === undefined) continue;
    const list = limitList(eventLimits, false);
    if (list.length === 0) continue;
    limits.set(event, {
      specs: list.map(toWindowSpec),
      users: KeyedScope.build(`event:${event}`, list, store, clock),
    });
  }
  return limits.size === 0 ? undefined : limits;
}
