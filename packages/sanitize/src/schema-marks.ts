import { configError } from './config-errors';
import { formatFieldPath, indexStep, type FieldPath, type PathStep } from './field-path';

/**
 * Anything with joi's `describe()`. Typed by shape so this package accepts joi schemas
 * without depending on joi: the description is read defensively, once, at set-up.
 */
export interface DescribableSchema {
  describe(): unknown;
}

/** A schema, joi's object shorthand (`{ bio: Joi.string() }`), or one per argument. */
export type MarkedArgumentSchema = DescribableSchema | Readonly<Record<string, DescribableSchema>>;
export type MarkedEventSchema = MarkedArgumentSchema | readonly MarkedArgumentSchema[];

/** A field marked `.meta({ sanitize: 'basic' })`; `policy` is `true` for the preset. */
export interface SchemaMark {
  readonly path: FieldPath;
  readonly policy: string | true;
  /** Marked on an object or array: every string beneath it is sanitized. */
  readonly deep: boolean;
}

type Description = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Description {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isDescribable(value: unknown): value is DescribableSchema {
  return isRecord(value) && typeof value.describe === 'function';
}

function isMarkedArgumentSchema(value: unknown): boolean {
  return (
    isDescribable(value) ||
    (isRecord(value) && Object.values(value).every((child) => isDescribable(child)))
  );
}

/** What `schemas` takes per event: a schema, the object shorthand, or one per argument. */
export function isMarkedEventSchema(value: unknown): boolean {
  return Array.isArray(value) ? value.every(isMarkedArgumentSchema) : isMarkedArgumentSchema(value);
}

function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The last `sanitize` meta wins, as joi's own later calls override earlier ones. */
function markOf(description: Description, where: string): string | true | false | undefined {
  let mark: string | true | false | undefined;
  for (const meta of listOf(description.metas)) {
    if (!isRecord(meta) || !('sanitize' in meta)) continue;
    const value = meta.sanitize;
    if (typeof value !== 'string' && typeof value !== 'boolean') {
      throw configError(
        where,
        `has meta({ sanitize: ${JSON.stringify(value)} }); use a policy name such as 'basic', or true.`,
      );
    }
    mark = value;
  }
  return mark;
}

/**
 * joi types whose values hold no strings beneath them. `alternatives` is left out: its
 * branches are walked at the same path and speak for themselves.
 */
const FLAT_TYPES: ReadonlySet<unknown> = new Set(['string', 'number', 'boolean', 'date', 'symbol']);

/** What one walk found: the marks, and the paths where a container is a valid value. */
interface WalkResult {
  readonly marks: SchemaMark[];
  readonly containerPaths: Set<string>;
}

/**
 * Walks one description and records the marked fields: object keys, `pattern()` values
 * (every key), array items (every element) and `ordered()` positions, and every branch
 * of alternatives and `when()` at the same path. `link()` (recursive schemas) is not
 * followed: mark the fields of the linked schema where it is used, or use field paths.
 */
function walk(
  description: unknown,
  argument: number,
  steps: readonly PathStep[],
  found: WalkResult,
  where: string,
): void {
  if (!isRecord(description)) return;
  const path = { argument, steps };
  if (description.type !== 'alternatives' && !FLAT_TYPES.has(description.type)) {
    found.containerPaths.add(formatFieldPath(path));
  }
  const mark = markOf(description, where);
  if (mark !== undefined && mark !== false) {
    found.marks.push({ path, policy: mark, deep: description.type !== 'string' });
  }
  const at = (step: PathStep): PathStep[] => [...steps, step];
  if (isRecord(description.keys)) {
    for (const [key, child] of Object.entries(description.keys)) {
      walk(child, argument, at({ kind: 'key', key }), found, `${where}.${key}`);
    }
  }
  for (const pattern of listOf(description.patterns)) {
    if (isRecord(pattern))
      walk(pattern.rule, argument, at({ kind: 'anyKey' }), found, `${where}.*`);
  }
  for (const item of listOf(description.items)) {
    walk(item, argument, at({ kind: 'each' }), found, `${where}[]`);
  }
  listOf(description.ordered).forEach((item, index) => {
    walk(item, argument, at(indexStep(index)), found, `${where}[${index}]`);
  });
  const branches = [...listOf(description.matches), ...listOf(description.whens)];
  for (const branch of branches) {
    if (!isRecord(branch)) continue;
    walk(branch.schema, argument, steps, found, where);
    walk(branch.then, argument, steps, found, where);
    walk(branch.otherwise, argument, steps, found, where);
    for (const option of listOf(branch.switch)) {
      if (isRecord(option)) {
        walk(option.then, argument, steps, found, where);
        walk(option.otherwise, argument, steps, found, where);
      }
    }
  }
}

function describeArgument(schema: unknown, where: string): unknown {
  if (isDescribable(schema)) return schema.describe();
  if (isRecord(schema) && Object.values(schema).every(isDescribable)) {
    const keys: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema))
      keys[key] = (child as DescribableSchema).describe();
    return { type: 'object', keys };
  }
  throw configError(
    where,
    `must be a joi schema, an object of joi schemas, or an array of those; got ${
      schema === null ? 'null' : typeof schema
    }.`,
  );
}

/**
 * The marked fields of one event's schema (or positional schemas), found once.
 *
 * A marked string whose path may also hold an object or an array (alternatives, `when()`
 * branches, `any()` beside it) is marked deep: every string beneath such a value is
 * sanitized, since refusing it would refuse what the schema allows, and passing it on
 * would hand the handler unsanitized markup at a marked path.
 */
export function marksOfSchema(schema: MarkedEventSchema, where: string): SchemaMark[] {
  const found: WalkResult = { marks: [], containerPaths: new Set() };
  const list: readonly unknown[] = Array.isArray(schema) ? schema : [schema];
  list.forEach((argumentSchema, argument) => {
    const name = Array.isArray(schema) ? `${where}[${argument}]` : where;
    walk(describeArgument(argumentSchema, name), argument, [], found, name);
  });
  return found.marks.map((mark) =>
    mark.deep || !found.containerPaths.has(formatFieldPath(mark.path))
      ? mark
      : { ...mark, deep: true },
  );
}
