import { isBinaryValue } from '@portcullis/core';
import type { Container, MarkupQueue } from './markup-queue';
import type { Policy } from './policies';

/**
 * Finds every string under `container[key]` (array elements and object values at any
 * depth; keys are left as they are) and hands it to the queue, which sanitizes them once
 * the packet is known to fit the budget. Binary attachments are skipped.
 *
 * Recursive: the guard calls it only on packets core's structure walk has bounded
 * (size-limit's walk, or the guard's own run of it), so the depth is at most
 * `HARD_MAX_DEPTH` levels, far from the end of the stack.
 */
export function collectEveryString(
  container: Container,
  key: string | number,
  policy: Policy,
  queue: MarkupQueue,
): void {
  const value = container[key];
  if (typeof value === 'string') {
    queue.take(container, key, value, policy);
    return;
  }
  if (typeof value !== 'object' || value === null || isBinaryValue(value)) return;
  if (Array.isArray(value)) {
    const items = value as unknown as Container;
    for (let index = 0; index < value.length && queue.refusal === undefined; index++) {
      collectEveryString(items, index, policy, queue);
    }
    return;
  }
  const record = value as Container;
  for (const child in record) {
    if (queue.refusal !== undefined) return;
    if (Object.prototype.hasOwnProperty.call(record, child)) {
      collectEveryString(record, child, policy, queue);
    }
  }
}
