/**
 * The limits of the structure walk (`checkPayloadStructure`), every field resolved.
 * `Infinity` stands for "no limit" here; option specs spell it `false`.
 */
export interface StructureLimits {
  /** Deepest nesting of objects and arrays inside one argument (1 to `HARD_MAX_DEPTH`). */
  readonly maxDepth: number;
  /** Most keys in one object. */
  readonly maxKeys: number;
  /** Most elements in one array. */
  readonly maxArrayLength: number;
  /** Longest string, in UTF-16 code units. */
  readonly maxStringLength: number;
  /**
   * `false` refuses an own `__proto__` key, and a `constructor` key holding an object or
   * array, at any depth. `true` lets them through (the walk still notes them, see
   * `PayloadFeature`).
   */
  readonly allowPrototypeKeys: boolean;
  /** Whether binary attachments are accepted at all. */
  readonly binary: boolean;
  /** Most binary attachments in one packet, where `binary` is on. */
  readonly maxAttachments: number;
}

export const DEFAULT_MAX_DEPTH = 32;

/**
 * The deepest any structure limit may allow. Socket.io's `reconstructPacket` recurses
 * once per level of a binary packet and overflows its stack a few thousand levels down
 * (measured: fine at 4000, overflows by 7000); the guards that recurse over a checked
 * payload (joi in validate, sanitize's walks) rely on this bound too.
 */
export const HARD_MAX_DEPTH = 1000;

/** What `sizeLimitGuard()` enforces when told nothing. */
export const DEFAULT_STRUCTURE_LIMITS: StructureLimits = Object.freeze({
  maxDepth: DEFAULT_MAX_DEPTH,
  maxKeys: 1000,
  maxArrayLength: 10_000,
  maxStringLength: Infinity,
  allowPrototypeKeys: false,
  binary: false,
  maxAttachments: 10,
});

/**
 * What a guard that recurses over payloads checks when no structure check ran before it
 * (no size-limit guard in front, see `ensurePayloadStructure`): the default depth, which
 * keeps its recursion far from the stack's end, and plain data only. Width, length,
 * binary and prototype keys are left to the guard that configures them (size-limit) or
 * to the caller's own rules: refusing them here would refuse, in a guard used alone,
 * what nobody asked it to.
 */
export const FALLBACK_STRUCTURE_LIMITS: StructureLimits = Object.freeze({
  maxDepth: DEFAULT_MAX_DEPTH,
  maxKeys: Infinity,
  maxArrayLength: Infinity,
  maxStringLength: Infinity,
  allowPrototypeKeys: true,
  binary: true,
  maxAttachments: Infinity,
});
