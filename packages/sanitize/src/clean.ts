import sanitizeHtml from 'sanitize-html';
import type { Policy } from './policies';

/**
 * A string with neither `<` nor `&` holds no tag and no entity: the parser could only
 * give it back as it is (apart from escaping `>` and quotes, which are inert in
 * element content). Skipping it keeps plain chat text close to free.
 */
const MARKUP = /[<&]/;

export function cleanString(text: string, policy: Policy): string {
  return MARKUP.test(text) ? sanitizeHtml(text, policy.options) : text;
}

/** Set when a walk met a payload nested deeper than allowed; read and reset by the guard. */
export interface WalkState {
  tooDeep: boolean;
}

/**
 * Sanitizes every string under `container[key]`, in place: array elements and object
 * values at any depth (keys are left as they are). Binary attachments are skipped.
 * Deeper than `maxDepth` the walk stops and flags `state.tooDeep`, so the guard can
 * refuse the packet rather than let unsanitized strings through.
 */
export function cleanEveryString(
  container: Record<string | number, unknown>,
  key: string | number,
  policy: Policy,
  depth: number,
  maxDepth: number,
  state: WalkState,
): void {
  const value = container[key];
  if (typeof value === 'string') {
    container[key] = cleanString(value, policy);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  if (depth >= maxDepth) {
    state.tooDeep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      cleanEveryString(
        value as unknown[] as Record<number, unknown>,
        index,
        policy,
        depth + 1,
        maxDepth,
        state,
      );
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const child in record) {
    if (Object.prototype.hasOwnProperty.call(record, child)) {
      cleanEveryString(record, child, policy, depth + 1, maxDepth, state);
    }
  }
}
