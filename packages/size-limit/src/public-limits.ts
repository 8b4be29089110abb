import type { ResolvedLimits, ResolvedOptions } from './options';

/** One event's limits as a client sees them; unlimited fields are left out. */
export interface PublicEventLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxKeys?: number;
  readonly maxArrayLength?: number;
  readonly maxStringLength?: number;
  readonly binary: boolean;
  readonly maxAttachments?: number;
}

/** What `portcullis:limits` carries: the defaults, and the events that differ. */
export interface PublicLimits extends PublicEventLimits {
  readonly events?: Readonly<Record<string, PublicEventLimits>>;
}

function publicEventLimits(limits: ResolvedLimits): PublicEventLimits {
  const result: { -readonly [K in keyof PublicEventLimits]: PublicEventLimits[K] } = {
    maxBytes: limits.maxBytes,
    maxDepth: limits.maxDepth,
    binary: limits.binary,
  };
  if (isFinite(limits.maxKeys)) result.maxKeys = limits.maxKeys;
  if (isFinite(limits.maxArrayLength)) result.maxArrayLength = limits.maxArrayLength;
  if (isFinite(limits.maxStringLength)) result.maxStringLength = limits.maxStringLength;
  if (limits.binary) result.maxAttachments = limits.maxAttachments;
  return Object.freeze(result);
}

/** Built once per guard; the same frozen object is sent to every client. */
export function publicLimits(options: ResolvedOptions): PublicLimits {
  const defaults = publicEventLimits(options.defaults);
  if (options.events.size === 0) return defaults;
  const events: Record<string, PublicEventLimits> = {};
  for (const [event, limits] of options.events) events[event] = publicEventLimits(limits);
  return Object.freeze({ ...defaults, events: Object.freeze(events) });
}
