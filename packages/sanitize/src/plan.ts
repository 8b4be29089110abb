import { GuardError, childPath } from '@portcullis/core';
import { configError } from './config-errors';
import { formatFieldPath, parseFieldPath, type FieldPath } from './field-path';
import { policyNamed, type Policy } from './policies';
import { marksOfSchema, type MarkedEventSchema } from './schema-marks';

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
  | {
      readonly kind: 'fields';
      readonly targets: readonly FieldTarget[];
      /** Some target is deep: its walk goes as deep as the payload does. */
      readonly deep: boolean;
    }
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
    throw configError(
      where,
      `marks ${formatFieldPath(target.path)} with both ${existing.policy.name} and ${target.policy.name}; keep one.`,
      'PORTCULLIS_CONFIG_CONFLICT',
    );
  }
  targets.set(key, target);
}

function fieldsPlan(targets: Map<string, FieldTarget>): EventPlan {
  const list = [...targets.values()];
  return { kind: 'fields', targets: list, deep: list.some((target) => target.deep) };
}

/** `rule` has the shape the option spec allows: `'*'`, a list of paths, or paths to policies. */
function planOfFields(
  rule: FieldRule,
  where: string,
  policies: ReadonlyMap<string, Policy>,
  preset: Policy,
): EventPlan {
  if (rule === '*') return { kind: 'everyString', policy: preset };
  const targets = new Map<string, FieldTarget>();
  if (Array.isArray(rule)) {
    (rule as readonly string[]).forEach((path, index) => {
      const target = fieldTarget(parseFieldPath(path, `${where}[${index}]`), preset, false);
      addTarget(targets, target, where);
    });
  } else {
    for (const [path, name] of Object.entries(rule as Readonly<Record<string, string>>)) {
      const at = childPath(where, path);
      const policy = policyNamed(policies, name, at);
      addTarget(targets, fieldTarget(parseFieldPath(path, at), policy, false), where);
    }
  }
  return fieldsPlan(targets);
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
  return targets.size === 0 ? { kind: 'skip' } : fieldsPlan(targets);
}

export interface PlanSources {
  readonly fields: Readonly<Record<string, FieldRule>> | undefined;
  readonly schemas: Readonly<Record<string, MarkedEventSchema>> | undefined;
  readonly policies: ReadonlyMap<string, Policy>;
  readonly preset: Policy;
}

/**
 * Builds the plan of every named event once, at set-up. The option spec has checked the
 * shapes (and that no event is in both maps); what is left are names and paths.
 */
export function buildPlans({
  fields,
  schemas,
  policies,
  preset,
}: PlanSources): Map<string, EventPlan> {
  const plans = new Map<string, EventPlan>();
  for (const [event, rule] of Object.entries(fields ?? {})) {
    if (rule === undefined) continue;
    plans.set(event, planOfFields(rule, childPath('fields', event), policies, preset));
  }
  for (const [event, schema] of Object.entries(schemas ?? {})) {
    if (schema === undefined) continue;
    plans.set(event, planOfSchema(schema, childPath('schemas', event), policies, preset));
  }
  return plans;
}
