import type { PortcullisConfigError } from '@portcullis/core';
import { configError } from './config-errors';
/**
 * Field paths name the strings to sanitize inside a packet's arguments:
 *
 * - `message`: a key of the first argument; `user.bio`: a key of a key;
 * - `items[].title`: `title` in every element of the array `items`; `items[0]`: one element;
 * - `labels.*`: every value of the object `labels`;
 * - `[1].text`: starts at the second argument instead of the first; `[0]` alone is the
 *   first argument itself (an event sent as `emit('chat', 'hello')`).
 */
export type PathStep =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'each' }
  // `key` is the index as a property name, for a client that sends `{ "0": … }` for an array.
  | { readonly kind: 'index'; readonly index: number; readonly key: string }
  | { readonly kind: 'anyKey' };

export interface FieldPath {
  /** Index of the argument the path starts from (0: the first). */
  readonly argument: number;
  readonly steps: readonly PathStep[];
}

/** An `[n]` step; its key is made once, here, not per packet. */
export function indexStep(index: number): PathStep {
  return { kind: 'index', index, key: String(index) };
}

const ROOT_ARGUMENT = /^\[(\d+)\]/;
const SEGMENT = /^([^.[\]]+)((?:\[\d*\])*)$/;
const MAX_ARGUMENT = 255;

/** `where` names the option the path was written in: `fields["chat"]`. */
function invalid(where: string, path: string, why: string): PortcullisConfigError {
  return configError(
    where,
    `the field path ${JSON.stringify(path)} ${why}; ` +
      'write paths like message, user.bio, items[].title, labels.* or [1].text.',
  );
}

/** Parses a path once, at set-up; `where` names the option it was written in. */
export function parseFieldPath(path: string, where = ''): FieldPath {
  if (typeof path !== 'string' || path.length === 0) throw invalid(where, String(path), 'is empty');
  let rest = path;
  let argument = 0;
  const root = ROOT_ARGUMENT.exec(rest);
  if (root !== null) {
    argument = Number(root[1]);
    if (argument > MAX_ARGUMENT) throw invalid(where, path, 'names an argument past the 256th');
    rest = rest.slice(root[0].length);
    if (rest.startsWith('.')) rest = rest.slice(1);
    else if (rest.length > 0 && !rest.startsWith('['))
      throw invalid(where, path, 'needs a dot after the argument');
  }
  const steps: PathStep[] = [];
  if (rest.startsWith('[')) {
    // `[1][]`: brackets right after the argument apply to the argument itself.
    appendBrackets(rest, path, steps, where);
    return { argument, steps };
  }
  if (rest.length === 0) return { argument, steps };
  for (const segment of rest.split('.')) {
    const match = SEGMENT.exec(segment);
    if (match === null)
      throw invalid(where, path, `has a malformed part ${JSON.stringify(segment)}`);
    const name = match[1] as string;
    steps.push(name === '*' ? { kind: 'anyKey' } : { kind: 'key', key: name });
    appendBrackets(match[2] ?? '', path, steps, where);
  }
  return { argument, steps };
}

function appendBrackets(brackets: string, path: string, steps: PathStep[], where: string): void {
  const pattern = /\[(\d*)\]/g;
  let consumed = 0;
  for (let match = pattern.exec(brackets); match !== null; match = pattern.exec(brackets)) {
    if (match.index !== consumed) break;
    consumed += match[0].length;
    steps.push(match[1] === '' ? { kind: 'each' } : indexStep(Number(match[1])));
  }
  if (consumed !== brackets.length) throw invalid(where, path, 'has a malformed [index]');
}

/** The path written back out, for messages and for spotting duplicates. */
export function formatFieldPath(path: FieldPath): string {
  let text = path.argument === 0 ? '' : `[${path.argument}]`;
  for (const step of path.steps) {
    if (step.kind === 'each') text += '[]';
    else if (step.kind === 'index') text += `[${step.index}]`;
    else {
      const name = step.kind === 'anyKey' ? '*' : step.key;
      text += text.length === 0 ? name : `.${name}`;
    }
  }
  return text.length === 0 ? '[0]' : text;
}
