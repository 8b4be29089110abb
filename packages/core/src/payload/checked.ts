/**
 * The verdict of the structure walk, left on the packet for the guards after it, so a
 * payload is walked once however many guards need it bounded: size-limit walks it with
 * its limits; validate and sanitize, which recurse over it, read that it was walked and
 * with which depth instead of walking it again (`ensurePayloadStructure`).
 *
 * Like the measured size (`packet-bytes.ts`), it rides on the packet's argument array
 * under one symbol key: invisible to handlers, `for…in`, `Object.keys` and JSON, gone
 * with the packet, and out of a client's reach (JSON has no symbol keys). One number,
 * so marking a packet allocates nothing: the depth the walk allowed, times 8, plus the
 * `PayloadFeature` bits it met. `Symbol.for`, so every copy of core agrees on it.
 */
const STRUCTURE_CHECKED: unique symbol = Symbol.for('portcullis.structureChecked') as never;

interface CheckedPacket {
  [STRUCTURE_CHECKED]?: number;
}

/** What a checked payload holds, for the guards that treat it specially. */
export const PayloadFeature = {
  /** A binary attachment (Buffer, typed array, ArrayBuffer) somewhere in the arguments. */
  BINARY: 1,
  /** An own `__proto__` key the limits let through (`allowPrototypeKeys: true`). */
  PROTO_KEY: 2,
  /** A `constructor` or `prototype` key, whatever it holds, that the limits let through. */
  CONSTRUCTOR_KEY: 4,
} as const;
export type PayloadFeature = (typeof PayloadFeature)[keyof typeof PayloadFeature];

const FEATURE_BITS = 8;
/** Keeps the mark a 31-bit integer, so the feature bits read with `&`. */
const MAX_RECORDED_DEPTH = 2 ** 27;

/** Marks a packet the walk let through (called by `checkPayloadStructure` only). */
export function markStructureChecked(packet: object, maxDepth: number, features: number): void {
  (packet as CheckedPacket)[STRUCTURE_CHECKED] =
    Math.min(maxDepth, MAX_RECORDED_DEPTH) * FEATURE_BITS + features;
}

/**
 * The depth the structure walk allowed this packet (its arguments nest no deeper), or
 * `undefined` when no walk has let it through.
 */
export function checkedDepthOf(packet: object): number | undefined {
  const mark = (packet as CheckedPacket)[STRUCTURE_CHECKED];
  return typeof mark === 'number' ? Math.floor(mark / FEATURE_BITS) : undefined;
}

/** Whether the walk that let this packet through met `feature` in it (`false` when unchecked). */
export function payloadHas(packet: object, feature: PayloadFeature): boolean {
  const mark = (packet as CheckedPacket)[STRUCTURE_CHECKED];
  return typeof mark === 'number' && (mark & feature) !== 0;
}
