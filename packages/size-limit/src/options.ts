/** Limits on the shape of a message's arguments (JSON bombs). */
export interface StructureLimits {
  /**
   * Deepest nesting of objects and arrays inside one argument. Default 32; at most 1000,
   * because Socket.io's own recursive binary decoder overflows the stack a few thousand
   * levels down.
   */
  maxDepth?: number;
  /** Most keys in one object. Default 1000. */
  maxKeys?: number;
  /** Most elements in one array. Default 10 000. */
  maxArrayLength?: number;
  /** Longest string, in UTF-16 code units. Default: none of its own (`maxBytes` bounds it). */
  maxStringLength?: number;
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
export interface EventSizeLimits extends StructureLimits {
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
   * A socket whose messages this guard refuses this many times within `refusalWindowMs`
   * is disconnected with `PAYLOAD_TOO_LARGE`. Default 3; `Infinity` never disconnects.
   */
  disconnectAfterRefusals?: number;
  /** Window for `disconnectAfterRefusals`. Default 60 000 ms. */
  refusalWindowMs?: number;
  /**
   * Event that tells each client the effective limits right after it connects, so it can
   * check before sending. Default `'portcullis:limits'`; `false` sends nothing.
   */
  limitsEvent?: string | false;
  /**
   * Warn once per server (process warning and `warning` security event) when
   * `maxHttpBufferSize` does not fit the limits. Default `true`.
   */
  warnOnServerOptions?: boolean;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Limits with every default filled in. */
export interface ResolvedLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxKeys: number;
  readonly maxArrayLength: number;
  readonly maxStringLength: number;
  readonly allowPrototypeKeys: boolean;
  readonly binary: boolean;
  readonly maxAttachments: number;
}

export interface ResolvedOptions {
  readonly defaults: ResolvedLimits;
  readonly events: ReadonlyMap<string, ResolvedLimits>;
  readonly disconnectAfterRefusals: number;
  readonly refusalWindowMs: number;
  readonly limitsEvent: string | false;
  readonly warnOnServerOptions: boolean;
  readonly now: () => number;
}

export const DEFAULT_MAX_BYTES = 65_536;
export const DEFAULT_MAX_DEPTH = 32;
/**
 * Socket.io's `reconstructPacket` recurses once per level of a binary packet and throws
 * a stack overflow a few thousand levels down (measured: fine at 4000, overflows by
 * 7000). Depths are capped well below that.
 */
export const HARD_MAX_DEPTH = 1000;
export const DEFAULT_MAX_KEYS = 1000;
export const DEFAULT_MAX_ARRAY_LENGTH = 10_000;
export const DEFAULT_MAX_ATTACHMENTS = 10;
export const DEFAULT_LIMITS_EVENT = 'portcullis:limits';

const LIMIT_KEYS = [
  'maxBytes',
  'maxDepth',
  'maxKeys',
  'maxArrayLength',
  'maxStringLength',
  'allowPrototypeKeys',
  'binary',
  'maxAttachments',
] as const;
const OPTION_KEYS = new Set<string>([
  ...LIMIT_KEYS,
  'events',
  'disconnectAfterRefusals',
  'refusalWindowMs',
  'limitsEvent',
  'warnOnServerOptions',
  'now',
]);

function fail(where: string, message: string): never {
  throw new TypeError(`sizeLimitGuard: ${where} ${message}`);
}

function checkKeys(value: object, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      fail(where, `has an unknown option "${key}"; known: ${[...allowed].join(', ')}.`);
    }
  }
}

function integerIn(
  value: unknown,
  fallback: number,
  where: string,
  min: number,
  max: number,
  allowInfinity: boolean,
): number {
  if (value === undefined) return fallback;
  if (allowInfinity && value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    fail(where, `must be an integer ${range}${allowInfinity ? ' or Infinity' : ''}.`);
  }
  return value;
}

function resolveLimits(
  input: Readonly<EventSizeLimits>,
  base: ResolvedLimits,
  where: string,
): ResolvedLimits {
  const max = Number.MAX_SAFE_INTEGER;
  const binary = input.binary ?? base.binary;
  if (typeof binary !== 'boolean') fail(`${where}.binary`, 'must be a boolean.');
  const allowPrototypeKeys = input.allowPrototypeKeys ?? base.allowPrototypeKeys;
  if (typeof allowPrototypeKeys !== 'boolean') {
    fail(`${where}.allowPrototypeKeys`, 'must be a boolean (true is unsafe: see the README).');
  }
  return {
    maxBytes: integerIn(input.maxBytes, base.maxBytes, `${where}.maxBytes`, 1, max, false),
    maxDepth: integerIn(
      input.maxDepth,
      base.maxDepth,
      `${where}.maxDepth`,
      1,
      HARD_MAX_DEPTH,
      false,
    ),
    maxKeys: integerIn(input.maxKeys, base.maxKeys, `${where}.maxKeys`, 0, max, true),
    maxArrayLength: integerIn(
      input.maxArrayLength,
      base.maxArrayLength,
      `${where}.maxArrayLength`,
      0,
      max,
      true,
    ),
    maxStringLength: integerIn(
      input.maxStringLength,
      base.maxStringLength,
      `${where}.maxStringLength`,
      0,
      max,
      true,
    ),
    allowPrototypeKeys,
    binary,
    maxAttachments: integerIn(
      input.maxAttachments,
      base.maxAttachments,
      `${where}.maxAttachments`,
      0,
      max,
      false,
    ),
  };
}

const BUILT_IN: ResolvedLimits = {
  maxBytes: DEFAULT_MAX_BYTES,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxKeys: DEFAULT_MAX_KEYS,
  maxArrayLength: DEFAULT_MAX_ARRAY_LENGTH,
  maxStringLength: Infinity,
  allowPrototypeKeys: false,
  binary: false,
  maxAttachments: DEFAULT_MAX_ATTACHMENTS,
};

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Validates the options once, when the guard is created, with messages that say how to fix them. */
export function resolveOptions(options: Readonly<SizeLimitGuardOptions> = {}): ResolvedOptions {
  if (!isPlainRecord(options)) fail('options', 'must be an object.');
  checkKeys(options, OPTION_KEYS, 'options');
  const defaults = resolveLimits(options, BUILT_IN, 'options');
  const events = new Map<string, ResolvedLimits>();
  if (options.events !== undefined) {
    if (!isPlainRecord(options.events)) {
      fail('options.events', "must be an object such as { 'file:upload': { maxBytes: 1e6 } }.");
    }
    const limitKeys = new Set<string>(LIMIT_KEYS);
    for (const [event, limits] of Object.entries(options.events)) {
      const where = `options.events["${event}"]`;
      if (event.length === 0) fail('options.events', 'has an empty event name.');
      if (!isPlainRecord(limits)) fail(where, 'must be an object of limits.');
      checkKeys(limits, limitKeys, where);
      events.set(event, resolveLimits(limits, defaults, where));
    }
  }
  const limitsEvent = options.limitsEvent ?? DEFAULT_LIMITS_EVENT;
  if (limitsEvent !== false && (typeof limitsEvent !== 'string' || limitsEvent.length === 0)) {
    fail('options.limitsEvent', 'must be a non-empty event name or false.');
  }
  const refusalWindowMs = options.refusalWindowMs ?? 60_000;
  if (typeof refusalWindowMs !== 'number' || !(refusalWindowMs > 0) || !isFinite(refusalWindowMs)) {
    fail('options.refusalWindowMs', 'must be a positive number of milliseconds.');
  }
  const warnOnServerOptions = options.warnOnServerOptions ?? true;
  if (typeof warnOnServerOptions !== 'boolean') {
    fail('options.warnOnServerOptions', 'must be a boolean.');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('options.now', 'must be a function returning epoch ms.');
  return {
    defaults,
    events,
    disconnectAfterRefusals: integerIn(
      options.disconnectAfterRefusals,
      3,
      'options.disconnectAfterRefusals',
      1,
      Number.MAX_SAFE_INTEGER,
      true,
    ),
    refusalWindowMs,
    limitsEvent,
    warnOnServerOptions,
    now,
  };
}

/** The largest `maxBytes` of any event: the biggest single message the guard may accept. */
export function largestMaxBytes(options: ResolvedOptions): number {
  let largest = options.defaults.maxBytes;
  for (const limits of options.events.values()) largest = Math.max(largest, limits.maxBytes);
  return largest;
}
