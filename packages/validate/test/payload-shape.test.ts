import Joi from 'joi';
import { ShapeScanner, findFakeBinary } from '../src/payload-shape';

/**
 * The shape check on values the wire cannot produce with Socket.io's default parser,
 * but a custom parser or a JSON reviver can: objects that carry their own prototype.
 */
describe('ShapeScanner', () => {
  const scanner = new ShapeScanner({ refuseConstructorKeys: true, maxDepth: 32 });

  it('refuses objects and arrays whose prototype is not the plain one', () => {
    const withPrototype = Object.assign(Object.create({ isAdmin: true }) as object, { name: 'a' });
    // joi keeps such a prototype through validation: the field would pass unseen.
    const { value } = Joi.object({ name: Joi.string() }).validate(withPrototype, {
      stripUnknown: true,
    });
    expect((value as { isAdmin?: unknown }).isAdmin).toBe(true);
    expect(scanner.find(withPrototype)).toEqual({ type: 'object.prototype', reversedPath: [] });
    const nested = { list: [1, { inner: withPrototype }] };
    expect(scanner.find(nested)).toEqual({
      type: 'object.prototype',
      reversedPath: ['inner', 1, 'list'],
    });
    class Tagged extends Array<number> {}
    expect(scanner.find({ tags: new Tagged() })?.type).toBe('object.prototype');
  });

  it('accepts plain JSON data, null-prototype objects and binary, and notes the binary', () => {
    scanner.sawBinary = false;
    expect(scanner.find(JSON.parse('{"a":[1,"x",{"b":null}],"c":true}'))).toBeUndefined();
    expect(scanner.sawBinary).toBe(false);
    expect(scanner.find(Object.assign(Object.create(null) as object, { a: 1 }))).toBeUndefined();
    expect(scanner.find({ file: Buffer.from([1, 2]) })).toBeUndefined();
    expect(scanner.sawBinary).toBe(true);
  });

  it('finds a Buffer that a joi object schema cloned into a broken object', () => {
    const { value } = Joi.object({ profile: Joi.object({ bio: Joi.string() }) }).validate(
      { profile: Buffer.from('{}') },
      { stripUnknown: true },
    );
    expect(findFakeBinary(value)).toEqual(['profile']);
    expect(findFakeBinary({ file: Buffer.from([1]) })).toBeUndefined();
  });
});
