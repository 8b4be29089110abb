import { GuardError } from '@portcullis/core';
import { formatFieldPath, parseFieldPath, type FieldPath } from './field-path';
import { policyNamed, type Policy } from './policies';
import { isDescribable, marksOfSchema, type MarkedEventSchema } from './schema-marks';

/** One place to sanitize: a path, its policy, and whether everything beneath counts. */
export interface FieldTarget {
  readonly path: FieldPath;
  readonly policy: Policy;
  readonly deep: boolean;
  /**
   * The refusal of a path that names a string (not deep) when the client put an object,
   * an array or binary there: built once, so refusing allocates nothing.
   */
  readonly notText: GuardError;
}

function fieldTarget(path: FieldPath, policy: Policy, deep: boolean): FieldTarget {
  const written = formatFieldPath(path);
  const notText = new GuardError('VALIDATION_FAILED', {
    details: [{ path: written, type: 'string.base' }],
    message: `The field ${written} must be text.`,
  });
  return { path, policy, deep, notText };
}

/** What the guard does with one event's arguments. */
export type EventPlan =
  | { readonly kind: 'fields'; readonly targets: readonly FieldTarget[] }
  | { readonly kind: 'everyString'; readonly policy: Policy }
  | { readonly kind: 'skip' };

/**
 * Fields of one event: a list of paths (sanitized with the preset), paths with their
 * policy (`{ bio: 'basic', name: 'text' }`), or `'*'` for every string of the event.
 */
export type FieldRule = '*' | readonly string[] | Readonly<Record<string, string>>;

function addTarget(targets: Map<string, FieldTarget>, target: FieldTarget, where: string): void {
  const key = `${formatFieldPath(target.path)}${target.deep ? ' (deep)' : ''}`;
  const existing = targets.get(key);
  if (existing !== undefined && existing.policy !== target.policy) {
    throw new TypeError(
      `sanitizeGuard: ${where} marks ${formatFieldPath(target.path)} with both ${existing.policy.name} and ${target.policy.name}; keep one.`,
    );
  }
  targets.set(key, target);
}

function planOfFields(
  rule: FieldRule,
  where: string,
  policies: ReadonlyMap<string, Policy>,
  preset: Policy,
): EventPlan {
  if (rule === '*') return { kind: 'everyString', policy: preset };
  const targets = new Map<string, FieldTarget>();
  if (Array.isArray(rule)) {
    for (const path of rule as readonly string[]) {
      addTarget(targets, fieldTarget(parseFieldPath(path), preset, false), where);
    }
  } else if (typeof rule === 'object' && rule !== null) {
    for (const [path, name] of Object.entries(rule)) {
      const policy = policyNamed(policies, name, `${where}[${JSON.stringify(path)}]`);
      addTarget(targets, fieldTarget(parseFieldPath(path), policy, false), where);
    }
  } else {
    throw new TypeError(
      `sanitizeGuard: ${where} must be a list of field paths, an object of paths to policy names, or '*'.`,
    );
  }
  return { kind: 'fields', targets: [...targets.values()] };
}

function planOfSchema(
  schema: MarkedEventSchema,
  where: string,
  policies: ReadonlyMap<string, Policy>,
  preset: Policy,
): EventPlan {
  const targets = new Map<string, FieldTarget>();
  for (const mark of marksOfSchema(schema, where)) {
    const policy = mark.policy === true ? preset : policyNamed(policies, mark.policy, where);
    addTarget(targets, fieldTarget(mark.path, policy, mark.deep), where);
  }
  // A schema without marks says its event carries no HTML: nothing to sanitize.
  return targets.size === 0 ? { kind: 'skip' } : { kind: 'fields', targets: [...targets.values()] };
}

export interface PlanSources {
  readonly fields: Readonly<Record<string, FieldRule>> | undefined;
  readonly schemas: Readonly<Record<string, MarkedEventSchema>> | undefined;
  readonly policies: ReadonlyMap<string, Policy>;
  readonly preset: Policy;
}

function checkMap(value: unknown, option: string): void {
  if (
    value !== undefined &&
    (typeof value !== 'object' || value === null || Array.isArray(value))
  ) {
    throw new TypeError(`sanitizeGuard: ${option} must be an object keyed by event name.`);
  }
}

/** Builds the plan of every named event once, at set-up. */
export function buildPlans({
  fields,
  schemas,
  policies,
  preset,
}: PlanSources): Map<string, EventPlan> {
  checkMap(fields, 'fields');
  checkMap(schemas, 'schemas');
  const plans = new Map<string, EventPlan>();
  for (const event of Object.keys(fields ?? {})) {
    const rule = (fields as Record<string, FieldRule>)[event] as FieldRule;
    plans.set(event, planOfFields(rule, `fields[${JSON.stringify(event)}]`, policies, preset));
  }
  for (const event of Object.keys(schemas ?? {})) {
    const where = `schemas[${JSON.stringify(event)}]`;
    if (plans.has(event)) {
      throw new TypeError(
        `sanitizeGuard: ${JSON.stringify(event)} is in both fields and schemas; describe it in one of them.`,
      );
    }
    const schema = (schemas as Record<string, unknown>)[event];
    if (!isDescribable(schema) && typeof schema !== 'object') {
      throw new TypeError(`sanitizeGuard: ${where} must be a joi schema or an array of them.`);
    }
    plans.set(event, planOfSchema(schema as MarkedEventSchema, where, policies, preset));
  }
  return plans;
}
