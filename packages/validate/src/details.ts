import type { GuardErrorDetail } from '@portcullis/core';
import type { ValidationError } from 'joi';

/** A refusal lists at most this many problems (joi with `abortEarly: false` can list many). */
const MAX_DETAILS = 20;
/** Paths can hold key names the client chose; they are cut so a reply cannot be inflated. */
const MAX_PATH_LENGTH = 128;

/**
 * `items[0].title`: keys joined by dots, array indexes in brackets. For events with
 * several arguments (or an argument past the first) the path starts with the
 * argument's index, `[1].title`, the same syntax as `@portcullis/sanitize` field paths.
 */
export function formatPath(
  segments: readonly (string | number)[],
  argumentIndex: number | undefined,
): string {
  let path = argumentIndex === undefined ? '' : `[${argumentIndex}]`;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path.length === 0 ? segment : `.${segment}`;
    if (path.length > MAX_PATH_LENGTH) return path.slice(0, MAX_PATH_LENGTH);
  }
  return path;
}

/** Where and how joi found the argument wrong: paths and rule names, never values. */
export function detailsOf(
  error: ValidationError,
  argumentIndex: number | undefined,
): GuardErrorDetail[] {
  const count = Math.min(error.details.length, MAX_DETAILS);
  const details: GuardErrorDetail[] = [];
  for (let index = 0; index < count; index++) {
    const item = error.details[index];
    if (item === undefined) continue;
    details.push({ path: formatPath(item.path, argumentIndex), type: item.type });
  }
  return details;
}
