import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_STRUCTURE_LIMITS,
  HARD_MAX_DEPTH,
  PortcullisConfigError,
  checkOptions,
  childPath,
  isPlainObject,
  opt,
  type OptionSpec,
  type StructureLimits,
} from '@portcullis/core';

/** Limits on the shape of a message's arguments (JSON bombs). */
export interface StructureLimitOptions {
  /**
   * Deepest nesting of objects and arrays inside one argument. Default 32; at most 1000,
   * because Socket.io's own recursive binary decoder overflows the stack a few thousand
   * levels down. Validate and sanitize rely on it too (they recurse over the payload).
   */
  maxDepth?: number;
  /** Most keys in one object. Default 1000; `false`: no limit. */
  maxKeys?: number | false;
  /** Most elements in one array. Default 10 000; `false`: no limit. */
  maxArrayLength?: number | false;
  /** Longest string, in UTF-16 code units. Default `false`: none of its own (`maxBytes` bounds it). */
  maxStringLength?: number | false;
  /**
   * UNSAFE when `true`. Default `false`: an object with an own `__proto__` key, or with
   * a `constructor` key whose value is an object or array, is refused at any depth,
   * whether or not a schema checks the event. These keys have no use in a Socket.io
   * payload and are what a handler's merge (`Object.assign`, a spread, a deep merge)
   * turns into prototype pollution. `true` hands them to the handler.
   */
  allowPrototypeKeys?: boolean;
}

/** Limits for one event (or, at the top level of the options, for every event). */
export interface EventSizeLimits extends StructureLimitOptions {
  /**
   * Most bytes of one message, counted on the engine.io frames that carried it (the text
   * frame plus every binary attachment frame), before Socket.io decodes it.
   * Default 65 536 (64 KiB).
   */
  maxBytes?: number;
  /** Whether the event accepts binary attachments (Buffer, ArrayBuffer, typed arrays). Default `false`. */
  binary?: boolean;
  /** Most binary attachments in one message, where binary is accepted. Default 10. */
  maxAttachments?: number;
}

export interface SizeLimitGuardOptions extends EventSizeLimits {
  /** Per-event overrides; each field not given falls back to the top-level value. */
  events?: Readonly<Record<string, EventSizeLimits>>;
  /**
   * Event that tells a client the effective limits, so it can check before sending.
   * A client asks by sending it (`@portcullis/client` does on each connect): the guard
   * answers with the limits as the ack, or on the same event without one, once per
   * connection (a second ask goes on down the chain as any other message).
   * Default `'portcullis:limits'`; `false` answers nothing.
   */
  limitsEvent?: string | false;
  /**
   * When the limits are sent: `'on-request'` (default) to the clients that ask, or
   * `'on-connect'` to every client as it connects, asked or not (clients that cannot
   * ask). Pushing them costs every handshake one more frame and write, for clients that
   * mostly ignore it.
   */
  sendLimits?: 'on-request' | 'on-connect';
  /**
   * Warn once per server (process warning and `warning` security event) when
   * `maxHttpBufferSize` does not fit the limits. Default `true`; `false` turns it off.
   */
  warnOnServerOptions?: boolean;
}

/** Limits with every default filled in: the structure walk's, plus the byte count. */
export interface ResolvedLimits extends StructureLimits {
  readonly maxBytes: number;
}

export interface ResolvedOptions {
  readonly defaults: ResolvedLimits;
  readonly events: ReadonlyMap<string, ResolvedLimits>;
  readonly limitsEvent: string | false;
  readonly sendLimits: 'on-request' | 'on-connect';
  readonly warnOnServerOptions: boolean;
}

export const DEFAULT_MAX_BYTES = 65_536;
export { DEFAULT_MAX_DEPTH, HARD_MAX_DEPTH };
export const DEFAULT_LIMITS_EVENT = 'portcullis:limits';

/** A count that `false` lifts; `Infinity`, the old spelling of that, fails saying so. */
const cap = (): OptionSpec =>
  opt.oldSpelling(
    opt.off(opt.integer({ min: 0 })),
    Infinity,
    'Infinity no longer means no limit: write false.',
  );

const ESCALATION =
  'core decides when refusals cut a socket: configurePortcullis(io, { escalation: { disconnectAfter: { refusals, withinMs } } })';

const limitFields = {
  maxBytes: opt.integer({ min: 1 }),
  maxDepth: opt.integer({ min: 1, max: HARD_MAX_DEPTH }),
  maxKeys: cap(),
  maxArrayLength: cap(),
  maxStringLength: cap(),
  allowPrototypeKeys: opt.boolean(),
  binary: opt.boolean(),
  maxAttachments: opt.integer({ min: 0 }),
};

/** The limits of one event (`events["file:upload"]`). */
export const eventSizeLimitsSpec: OptionSpec = opt.object(limitFields);

/** `events`: limits per event name; an empty name is a mistake (no event has it). */
const eventsSpec: OptionSpec = (() => {
  const record = opt.record(eventSizeLimitsSpec, 'event names');
  return {
    ...record,
    check(value, path) {
      record.check(value, path);
      if (isPlainObject(value) && '' in value) {
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_INVALID_TYPE',
          childPath(path, ''),
          'is an empty event name; no event is called that.',
        );
      }
    },
  };
})();

/** Every option `sizeLimitGuard` takes, for the preset and for tools. */
export const sizeLimitGuardOptionsSpec: OptionSpec = opt.object({
  ...limitFields,
  events: eventsSpec,
  limitsEvent: opt.off(opt.string()),
  sendLimits: opt.oneOf(['on-request', 'on-connect']),
  warnOnServerOptions: opt.boolean(),
  disconnectAfterRefusals: opt.removed(ESCALATION),
  refusalWindowMs: opt.removed(ESCALATION),
  now: opt.removed(
    'the guard keeps no clock; core counts refusals on the clock of configurePortcullis(io, { now })',
  ),
});

const BUILT_IN: ResolvedLimits = { ...DEFAULT_STRUCTURE_LIMITS, maxBytes: DEFAULT_MAX_BYTES };

/** `false` is "no limit" from here on, as `Infinity`: one comparison per check. */
function count(value: number | false | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return value === false ? Infinity : value;
}

function resolveLimits(input: Readonly<EventSizeLimits>, base: ResolvedLimits): ResolvedLimits {
  return {
    maxBytes: input.maxBytes ?? base.maxBytes,
    maxDepth: input.maxDepth ?? base.maxDepth,
    maxKeys: count(input.maxKeys, base.maxKeys),
    maxArrayLength: count(input.maxArrayLength, base.maxArrayLength),
    maxStringLength: count(input.maxStringLength, base.maxStringLength),
    allowPrototypeKeys: input.allowPrototypeKeys ?? base.allowPrototypeKeys,
    binary: input.binary ?? base.binary,
    maxAttachments: input.maxAttachments ?? base.maxAttachments,
  };
}

/**
 * Checks the options once (with core's kit: unknown keys at any depth, types, ranges,
 * the old spellings) and fills in the defaults. `factory` names the caller in errors.
 */
export function resolveOptions(
  options: Readonly<SizeLimitGuardOptions> = {},
  factory = 'sizeLimitGuard',
): ResolvedOptions {
  checkOptions(sizeLimitGuardOptionsSpec, options, factory);
  const defaults = resolveLimits(options, BUILT_IN);
  const events = new Map<string, ResolvedLimits>();
  for (const [event, limits] of Object.entries(options.events ?? {})) {
    if (limits !== undefined) events.set(event, resolveLimits(limits, defaults));
  }
  return {
    defaults,
    events,
    limitsEvent: options.limitsEvent ?? DEFAULT_LIMITS_EVENT,
    sendLimits: options.sendLimits ?? 'on-request',
    warnOnServerOptions: options.warnOnServerOptions ?? true,
  };
}

/** The largest `maxBytes` of any event: the biggest single message the guard may accept. */
export function largestMaxBytes(options: ResolvedOptions): number {
  let largest = options.defaults.maxBytes;
  for (const limits of options.events.values()) largest = Math.max(largest, limits.maxBytes);
  return largest;
}
