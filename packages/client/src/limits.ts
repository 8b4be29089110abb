/** One event's message limits, as the server advertises them; absent fields: no limit. */
export interface EventLimits {
  /** Most bytes per message, as the server measures them (see `measureMessage`). */
  readonly maxBytes: number;
  /** Deepest nesting of objects and arrays in one argument (the argument is level 1). */
  readonly maxDepth: number;
  readonly maxKeys?: number;
  readonly maxArrayLength?: number;
  /** Longest string, in UTF-16 units (`string.length`). */
  readonly maxStringLength?: number;
  /** Whether binary attachments (ArrayBuffer, typed arrays, Blob) are accepted. */
  readonly binary: boolean;
  readonly maxAttachments?: number;
}

/** The payload of `portcullis:limits`: the defaults, and the events that differ. */
export interface ServerLimits extends EventLimits {
  readonly events?: Readonly<Record<string, EventLimits>>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function readEventLimits(value: unknown): EventLimits | undefined {
  if (!isRecord(value)) return undefined;
  const maxBytes = count(value.maxBytes);
  const maxDepth = count(value.maxDepth);
  if (maxBytes === undefined || maxDepth === undefined) return undefined;
  const limits: Mutable<EventLimits> = { maxBytes, maxDepth, binary: value.binary === true };
  const maxKeys = count(value.maxKeys);
  if (maxKeys !== undefined) limits.maxKeys = maxKeys;
  const maxArrayLength = count(value.maxArrayLength);
  if (maxArrayLength !== undefined) limits.maxArrayLength = maxArrayLength;
  const maxStringLength = count(value.maxStringLength);
  if (maxStringLength !== undefined) limits.maxStringLength = maxStringLength;
  const maxAttachments = count(value.maxAttachments);
  if (maxAttachments !== undefined) limits.maxAttachments = maxAttachments;
  return Object.freeze(limits);
}

/**
 * Checks a `portcullis:limits` payload and returns a frozen copy holding only known,
 * well-typed fields; `undefined` when it is not one.
 */
export function readServerLimits(value: unknown): ServerLimits | undefined {
  const defaults = readEventLimits(value);
  if (defaults === undefined || !isRecord(value)) return undefined;
  if (!isRecord(value.events)) return defaults;
  // No prototype: an event called `constructor` or `__proto__` finds nothing inherited.
  const events = Object.create(null) as Record<string, EventLimits>;
  for (const [event, limits] of Object.entries(value.events)) {
    const read = readEventLimits(limits);
    if (read !== undefined) events[event] = read;
  }
  return Object.freeze({ ...defaults, events: Object.freeze(events) });
}

/** The limits that apply to `event`: its own when the server listed it, else the defaults. */
export function limitsForEvent(limits: ServerLimits, event: string): EventLimits {
  const { events } = limits;
  if (events !== undefined && Object.prototype.hasOwnProperty.call(events, event)) {
    return events[event] as EventLimits;
  }
  return limits;
}
