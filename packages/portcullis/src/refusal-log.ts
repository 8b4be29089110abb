import type { SecurityEvent, SecurityEventBus } from '@portcullis/core';

/** Where the lines go: `console.warn` by default, or the app's own logger. */
export type RefusalLogPrinter = (line: string) => void;

/** Lines printed per minute at most, all kinds together: a flood prints a handful. */
const MAX_LINES_PER_MINUTE = 5;
const MINUTE_MS = 60_000;

const LOGGED_TYPES: ReadonlySet<string> = new Set([
  'handshake_refused',
  'packet_refused',
  'forced_disconnect',
]);

const WHAT: Readonly<Record<string, string>> = {
  handshake_refused: 'refused a handshake',
  packet_refused: 'refused a packet',
  forced_disconnect: 'disconnected a socket',
};

/**
 * In development, a developer whose client is refused should see why without wiring an
 * audit sink first. While nothing else listens to the bus, prints one short line the
 * first time each kind of refusal (type, code, guard) happens, and again at most once a
 * minute per kind with how many there were meanwhile; never more than five lines a
 * minute in all. Silent as soon as any other listener (an audit sink) is attached.
 * Returns the function that stops it.
 */
export function logRefusalsWhileUnheard(
  bus: SecurityEventBus,
  print: RefusalLogPrinter,
  now: () => number = Date.now,
): () => void {
  /** Per kind: when it was last printed, and how many since. */
  const kinds = new Map<string, { printedAt: number; since: number }>();
  let minuteStartedAt = -Infinity;
  let linesThisMinute = 0;
  return bus.on((event: SecurityEvent) => {
    if (!LOGGED_TYPES.has(event.type) || bus.listenerCount > 1) return;
    const kind = `${event.type}:${event.code ?? '-'}:${event.guard ?? '-'}`;
    const at = now();
    const seen = kinds.get(kind);
    if (seen !== undefined && at - seen.printedAt < MINUTE_MS) {
      seen.since++;
      return;
    }
    if (at - minuteStartedAt >= MINUTE_MS) {
      minuteStartedAt = at;
      linesThisMinute = 0;
    }
    if (linesThisMinute >= MAX_LINES_PER_MINUTE) {
      if (seen !== undefined) seen.since++;
      return;
    }
    linesThisMinute++;
    const more = seen === undefined || seen.since === 0 ? '' : ` (${seen.since} more since)`;
    kinds.set(kind, { printedAt: at, since: 0 });
    print(lineOf(event, more));
  });
}

function lineOf(event: SecurityEvent, more: string): string {
  const by = event.guard === undefined ? '' : ` by ${event.guard}`;
  const packet = event.event === undefined ? '' : ` "${event.event.slice(0, 60)}"`;
  return (
    `[portcullis] ${WHAT[event.type] ?? event.type}${packet}: ${event.code ?? 'no code'}${by}, ` +
    `from ${event.ip}${more}. Attach an audit sink to see every event ` +
    '(printed only outside production and tests, while nothing listens).'
  );
}
