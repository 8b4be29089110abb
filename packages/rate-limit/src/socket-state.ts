import type { WindowSpec } from './limit-spec';
import { consumeCounter, newCounter, type Counter } from './memory-window';

/** What the message guard keeps per socket; found through a WeakMap, so it dies with the socket. */
export interface SocketState {
  readonly counters: Counter[];
  /** Per-event counters of an anonymous socket, created on its first limited event. */
  events: Map<string, Counter[]> | undefined;
  /** The clock of the socket's server (core's `now`). */
  readonly now: () => number;
}

export function newSocketState(specs: readonly WindowSpec[], now: () => number): SocketState {
  return { counters: specs.map(newCounter), events: undefined, now };
}

/** Per-event counters of an anonymous socket: bounded by the number of limited events. */
export function consumeSocketEvent(
  state: SocketState,
  event: string,
  specs: readonly WindowSpec[],
  now: number,
): number {
  const events = (state.events ??= new Map<string, Counter[]>());
  let counters = events.get(event);
  if (counters === undefined) {
    counters = specs.map(newCounter);
    events.set(event, counters);
  }
  for (let index = 0; index < specs.length; index++) {
    const wait = consumeCounter(counters[index] as Counter, specs[index] as WindowSpec, 1, now);
    if (wait !== 0) return wait;
  }
  return 0;
}
