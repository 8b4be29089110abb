import Joi from 'joi';
import { validateGuard, type ValidateSchemas } from '../src';

/** Mistakes in the schema map or the options are caught once, when the guard is made. */
describe('validateGuard set-up', () => {
  it.each([
    [
      'a string',
      { 'chat:send': 'string' },
      /schemas\["chat:send"\] must be a joi schema .* got string/,
    ],
    ['a constructor', { 'chat:send': String }, /got function/],
    ['null', { 'chat:send': null }, /got null/],
    ['an object of non-schemas', { 'chat:send': { message: String } }, /got object/],
    [
      'a bad positional entry',
      { 'cursor:move': [Joi.number(), 3] },
      /schemas\["cursor:move"\]\[1\] must be a joi schema .* got number/,
    ],
  ])('refuses %s where a schema belongs, naming the event', (_name, schemas, message) => {
    expect(() => validateGuard(schemas as unknown as ValidateSchemas)).toThrow(message);
  });

  it('refuses a schema map that is not an object', () => {
    expect(() => validateGuard([Joi.string()] as unknown as ValidateSchemas)).toThrow(
      /first argument must be an object of event names to joi schemas; got an array/,
    );
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

  it.each([
    [{ unknownEvents: 'ignore' }, /unknownEvents must be 'reject' \(default\) or 'allow'/],
    [{ stripUnknown: 'yes' }, /stripUnknown must be true or false/],
    [{ maxDepth: 0 }, /maxDepth must be an integer from 1 to 1000/],
    [{ maxDepth: 2.5 }, /maxDepth must be an integer/],
  ])('refuses the option %p with a message that says how to fix it', (options, message) => {
    expect(() => validateGuard({}, options as never)).toThrow(message);
  });
});
