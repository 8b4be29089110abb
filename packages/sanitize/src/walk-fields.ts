import { isBinaryValue } from '@portcullis/core';
import { collectEveryString } from './clean';
import type { PathStep } from './field-path';
import type { Container, MarkupQueue } from './markup-queue';
import type { FieldTarget } from './plan';

const hasOwn = Object.prototype.hasOwnProperty;

/** An object or an array a path can step into (binary holds no fields). */
function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null && !isBinaryValue(value);
}

/**
 * Null, undefined, numbers and booleans render as themselves (or as nothing): no markup
 * can hide in them, so a path that names a string lets them through.
 */
function isInert(value: unknown): boolean {
  return (
    value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean'
  );
}

/**
 * Follows `steps` from `container[key]` and hands the string at the end (or, for a deep
 * target, every string beneath) to the queue.
 *
 * At the end of a path that names a string, an object, an array or binary is refused
 * with the target's `notText`: passing it on would hand the handler markup nobody
 * sanitized (`{ message: ["<img onerror=…>"] }`), and sanitizing its strings would hide
 * a client bug. On the way, containers are followed the way JavaScript reads them:
 * `items[0]` and `items[]` also reach the values of an object (`{ "0": … }`), and a key
 * also reaches an array element, so no reshaping of the payload walks around a field.
 * A path that meets a string or a number half-way ends there: nothing it names exists.
 */
export function collectField(
  container: Container,
  key: string | number,
  steps: readonly PathStep[],
  stepIndex: number,
  target: FieldTarget,
  queue: MarkupQueue,
): void {
  const value = container[key];
  if (stepIndex === steps.length) {
    if (typeof value === 'string') queue.take(container, key, value, target.policy);
    else if (target.deep) {
      collectEveryString(container, key, target.policy, queue);
    } else if (!isInert(value)) queue.refusal = target.notText;
    return;
  }
  if (!isContainer(value)) return;
  const step = steps[stepIndex] as PathStep;
  const next = stepIndex + 1;
  if (step.kind === 'key') {
    if (hasOwn.call(value, step.key)) {
      collectField(value, step.key, steps, next, target, queue);
    }
  } else if (step.kind === 'index') {
    if (Array.isArray(value)) {
      if (step.index < value.length) {
        collectField(value, step.index, steps, next, target, queue);
      }
    } else if (hasOwn.call(value, step.key)) {
      collectField(value, step.key, steps, next, target, queue);
    }
  } else if (Array.isArray(value)) {
    // `[]` and `*` both reach every element of an array and every value of an object.
    for (let index = 0; index < value.length && queue.refusal === undefined; index++) {
      collectField(value, index, steps, next, target, queue);
    }
  } else {
    for (const child in value) {
      if (queue.refusal !== undefined) return;
      if (hasOwn.call(value, child)) {
        collectField(value, child, steps, next, target, queue);
      }
    }
  }
}
