import Joi, { type ValidationOptions } from 'joi';
import { isPlainObject, opt, type OptionSpec } from '@portcullis/core';

/**
 * What an event may be given: a joi schema for its one argument, joi's object
 * shorthand (`{ roomId: Joi.string() }`), or an array of those for an event that takes
 * several arguments (positional: the first schema checks the first argument).
 */
export type ArgumentSchema = Joi.Schema | Readonly<Record<string, Joi.Schema>>;
export type EventSchema = ArgumentSchema | readonly ArgumentSchema[];
export type ValidateSchemas = Readonly<Record<string, EventSchema>>;

/** One event, ready for the hot path. */
export interface CompiledEvent {
  readonly schemas: readonly Joi.Schema[];
  /**
   * Per argument: the schema is a joi object. Joi counts a Buffer as an object, and a
   * keyless `Joi.object()` hands it over unchanged; the guard refuses binary there.
   */
  readonly objectArguments: readonly boolean[];
  /** Declared as an array: paths in refusals start with the argument index. */
  readonly positional: boolean;
}

function isArgumentSchema(value: unknown): boolean {
  return (
    Joi.isSchema(value) ||
    (isPlainObject(value) && Object.values(value).every((child) => Joi.isSchema(child)))
  );
}

/**
 * What one argument may be given. Joi would also compile literals (`'string'` becomes
 * "exactly the text string"), which is never what someone writing a schema map meant,
 * so only schemas and the object shorthand of schemas are accepted.
 */
const argumentSchemaSpec = opt.custom(
  'a joi schema (e.g. Joi.object({ message: Joi.string() })), or an object of joi schemas',
  isArgumentSchema,
);

/** One event: an argument's schema, or an array of them (one per argument). */
const eventSchemaSpec: OptionSpec = {
  expected: `${argumentSchemaSpec.expected}, or an array of those for several arguments`,
  check(value, path) {
    if (!Array.isArray(value)) {
      argumentSchemaSpec.check(value, path);
      return;
    }
    value.forEach((item: unknown, index) => argumentSchemaSpec.check(item, `${path}[${index}]`));
  },
};

/** The first argument of `validateGuard`: event names to schemas. */
export const validateSchemasSpec: OptionSpec = opt.record(eventSchemaSpec, 'event names');

/** Compiles one argument's schema (already checked by `validateSchemasSpec`). */
function compileArgument(value: unknown, options: ValidationOptions): Joi.Schema {
  const schema = Joi.isSchema(value) ? value : Joi.compile(value as Joi.SchemaLike);
  // A schema that says nothing about presence would accept a missing argument and hand
  // the handler `undefined`; arguments are required unless the schema says `.optional()`.
  // A default (`.default({ page: 1 })`) already says what a missing argument becomes.
  const saysPresence =
    schema.$_getFlag('presence') !== undefined || schema.$_getFlag('default') !== undefined;
  const required = saysPresence ? schema : schema.required();
  return withOptions(required, options);
}

/**
 * Bakes the guard's validation options into the schema, once: joi merges options
 * passed to `validate()` on every call, which costs about a third of a small schema's
 * validation. Options the schema sets on itself keep precedence, as they would over
 * options passed to `validate()`.
 */
function withOptions(schema: Joi.Schema, options: ValidationOptions): Joi.Schema {
  let own: ValidationOptions | undefined;
  try {
    own = (schema.describe() as { preferences?: ValidationOptions }).preferences;
  } catch {
    // joi cannot describe some preferences it accepts (`errors.render` on a schema):
    // then the guard's options go on top of the schema's own, at its root only.
    own = undefined;
  }
  return schema.prefs(own === undefined ? options : { ...options, ...own });
}

function objectFlags(schemas: readonly Joi.Schema[]): boolean[] {
  return schemas.map((schema) => schema.type === 'object');
}

/** Compiles the schema map once, at set-up (checked first by `validateSchemasSpec`). */
export function compileSchemas(
  schemas: ValidateSchemas,
  options: ValidationOptions,
): Map<string, CompiledEvent> {
  const compiled = new Map<string, CompiledEvent>();
  for (const event of Object.keys(schemas)) {
    const entry: unknown = schemas[event];
    if (entry === undefined) continue;
    if (Array.isArray(entry)) {
      const list = entry.map((item: unknown) => compileArgument(item, options));
      compiled.set(event, { schemas: list, objectArguments: objectFlags(list), positional: true });
    } else {
      const list = [compileArgument(entry, options)];
      compiled.set(event, { schemas: list, objectArguments: objectFlags(list), positional: false });
    }
  }
  return compiled;
}
