import type { GuardError } from '@portcullis/core';
import type { Container, MarkupQueue } from './markup-queue';
import type { Policy } from './policies';

/** Binary attachments hold no text to sanitize; they reach the handler as sent. */
export function isBinary(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/**
 * Finds every string under `container[key]` (array elements and object values at any
 * depth; keys are left as they are) and hands it to the queue, which sanitizes them once
 * the packet is known to fit the budget. Binary attachments are skipped. Deeper than
 * `maxDepth` the walk refuses the packet with `tooDeep` rather than let unsanitized
 * strings through.
 */
export function collectEveryString(
  container: Container,
  key: string | number,
  policy: Policy,
  depth: number,
  maxDepth: number,
  queue: MarkupQueue,
  tooDeep: GuardError,
): void {
  const value = container[key];
  if (typeof value === 'string') {
    queue.take(container, key, value, policy);
    return;
  }
  if (typeof value !== 'object' || value === null || isBinary(value)) return;
  if (depth >= maxDepth) {
    queue.refusal = tooDeep;
    return;
  }
  if (Array.isArray(value)) {
    const items = value as unknown as Container;
    for (let index = 0; index < value.length && queue.refusal === undefined; index++) {
      collectEveryString(items, index, policy, depth + 1, maxDepth, queue, tooDeep);
    }
    return;
  }
  const record = value as Container;
  for (const child in record) {
    if (queue.refusal !== undefined) return;
    if (Object.prototype.hasOwnProperty.call(record, child)) {
      collectEveryString(record, child, policy, depth + 1, maxDepth, queue, tooDeep);
    }
  }
}
