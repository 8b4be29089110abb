import Joi from 'joi';
import { isPortcullisConfigError, type PortcullisConfigError } from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import {
  validateGuard,
  validateGuardOptionsSpec,
  validateSchemasSpec,
  type ValidateGuardOptions,
  type ValidateSchemas,
} from '../src';

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** Mistakes in the schema map or the options are caught once, when the guard is made. */
describe('validateGuard set-up', () => {
  it.each([
    [
      'a string',
      { 'chat:send': 'string' },
      'schemas["chat:send"]',
      /must be a joi schema .* got a string/,
    ],
    ['a constructor', { 'chat:send': String }, 'schemas["chat:send"]', /got a function/],
    ['null', { 'chat:send': null }, 'schemas["chat:send"]', /got null/],
    [
      'an object of non-schemas',
      { 'chat:send': { message: String } },
      'schemas["chat:send"]',
      /got an object/,
    ],
    [
      'a bad positional entry',
      { 'cursor:move': [Joi.number(), 3] },
      'schemas["cursor:move"][1]',
      /must be a joi schema .* got 3/,
    ],
  ])('refuses %s where a schema belongs, naming the event', (_name, schemas, path, message) => {
    const error = configError(() => validateGuard(schemas as unknown as ValidateSchemas));
    expect(error.code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^validateGuard: /);
  });

  it('refuses a schema map that is not an object', () => {
    const error = configError(() => validateGuard([Joi.string()] as unknown as ValidateSchemas));
    expect(error.path).toBe('schemas');
    expect(error.message).toMatch(/must be an object of .*; got an array/);
  });

  it('accepts schemas, the object shorthand of schemas and positional arrays', () => {
    const guard = validateGuard({
      'chat:send': Joi.object({ message: Joi.string() }),
      'chat:typing': { roomId: Joi.string() },
      'cursor:move': [Joi.number(), Joi.number()],
      'chat:leave': [],
    });
    expect(guard.guardName).toBe('validate');
  });

  it('refuses a misspelt option with its path and the nearest known one', () => {
    const error = configError(() =>
      validateGuard({}, { stripUnkown: false } as unknown as ValidateGuardOptions),
    );
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.message).toBe(
      'validateGuard: stripUnkown: unknown option, did you mean stripUnknown?',
    );
  });

  it.each([
    [{ unknownEvents: 'ignore' }, 'unknownEvents', /must be "reject" or "allow"/],
    [{ stripUnknown: 'yes' }, 'stripUnknown', /must be true or false/],
    [{ abortEarly: 1 }, 'abortEarly', /must be true or false/],
    [
      { maxDepth: 8 },
      'maxDepth',
      /unknown option \(removed: set the depth on sizeLimitGuard\(\{ maxDepth \}\)/,
    ],
  ])('refuses the option %p with a message that says how to fix it', (options, path, message) => {
    const error = configError(() => validateGuard({}, options as never));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it('exports the specs the factory checks, for the preset and for tools', () => {
    expect(Object.keys(validateGuardOptionsSpec.fields ?? {})).toEqual(
      expect.arrayContaining(['unknownEvents', 'stripUnknown', 'convert', 'abortEarly']),
    );
    expect(() =>
      validateSchemasSpec.check({ a: Joi.string(), b: [Joi.number()] }, 'schemas'),
    ).not.toThrow();
  });
});
