import Joi, { type ValidationOptions } from 'joi';

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

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Compiles one argument's schema. Joi would also compile literals (`'string'` becomes
 * "exactly the text string"), which is never what someone writing a schema map meant,
 * so only schemas and the object shorthand of schemas are accepted.
 */
function compileArgument(value: unknown, where: string, options: ValidationOptions): Joi.Schema {
  let schema: Joi.Schema;
  if (Joi.isSchema(value)) {
    schema = value;
  } else if (isPlainObject(value) && Object.values(value).every((child) => Joi.isSchema(child))) {
    schema = Joi.compile(value);
  } else {
    throw new TypeError(
      `validateGuard: ${where} must be a joi schema (e.g. Joi.object({ message: Joi.string() })), ` +
        `an object of joi schemas, or an array of those for several arguments; got ${typeName(value)}.`,
    );
  }
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

/** Checks and compiles the schema map once, at set-up. */
export function compileSchemas(
  schemas: ValidateSchemas,
  options: ValidationOptions,
): Map<string, CompiledEvent> {
  if (!isPlainObject(schemas)) {
    throw new TypeError(
      `validateGuard: the first argument must be an object of event names to joi schemas; got ${typeName(schemas)}.`,
    );
  }
  const compiled = new Map<string, CompiledEvent>();
  for (const event of Object.keys(schemas)) {
    const entry: unknown = schemas[event];
    const where = `schemas[${JSON.stringify(event)}]`;
    if (Array.isArray(entry)) {
      const list = entry.map((item: unknown, index) =>
        compileArgument(item, `${where}[${index}]`, options),
      );
      compiled.set(event, { schemas: list, objectArguments: objectFlags(list), positional: true });
    } else {
      const list = [compileArgument(entry, where, options)];
      compiled.set(event, { schemas: list, objectArguments: objectFlags(list), positional: false });
    }
  }
  return compiled;
}
