import Joi from 'joi';
import { validateGuard } from '../src';
import { findFakeBinary, findShapeProblem } from '../src/payload-shape';

/**
 * Placing the unsafe spot of a refused payload, on values the wire cannot produce with
 * Socket.io's default parser but a custom parser or a JSON reviver can: objects that
 * carry their own prototype.
 */
describe('findShapeProblem', () => {
  const withPrototype = Object.assign(Object.create({ isAdmin: true }) as object, { name: 'a' });

  it('places objects and arrays whose prototype is not the plain one', () => {
    // joi keeps such a prototype through validation: the field would pass unseen.
    const { value } = Joi.object({ name: Joi.string() }).validate(withPrototype, {
      stripUnknown: true,
    });
    expect((value as { isAdmin?: unknown }).isAdmin).toBe(true);
    expect(findShapeProblem(withPrototype, true, 32)).toEqual({
      type: 'object.prototype',
      reversedPath: [],
    });
    const nested = { list: [1, { inner: withPrototype }] };
    expect(findShapeProblem(nested, true, 32)).toEqual({
      type: 'object.prototype',
      reversedPath: ['inner', 1, 'list'],
    });
    class Tagged extends Array<number> {}
    expect(findShapeProblem({ tags: new Tagged() }, true, 32)?.type).toBe('object.prototype');
  });

  it('finds nothing in plain JSON data, null-prototype objects and binary', () => {
    expect(findShapeProblem(JSON.parse('{"a":[1,"x",{"b":null}],"c":true}'), true, 32)).toBe(
      undefined,
    );
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(findShapeProblem(bare, true, 32)).toBeUndefined();
    expect(findShapeProblem({ file: Buffer.from([1, 2]) }, true, 32)).toBeUndefined();
  });

  it('goes no deeper than it is told, however deep the value', () => {
    let deep: unknown = JSON.parse('{"__proto__":1}');
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(findShapeProblem(deep, true, 32)).toBeUndefined();
    expect(findShapeProblem([[JSON.parse('{"__proto__":1}')]], true, 3)?.reversedPath).toEqual([
      '__proto__',
      0,
      0,
    ]);
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

describe('validateGuard on a packet core walked and refused as not plain', () => {
  const guard = validateGuard({ 'settings:merge': Joi.object().unknown() });
  const check = (packet: unknown[]) => guard.check({} as never, packet as never);

  it('names the path of an object with its own prototype', () => {
    const withPrototype = Object.assign(Object.create({ isAdmin: true }) as object, { a: 1 });
    expect(check(['settings:merge', { nested: [withPrototype] }])).toMatchObject({
      code: 'VALIDATION_FAILED',
      data: { details: [{ path: 'nested[0]', type: 'object.prototype' }] },
    });
  });

  it("gives core's answer where there is no key or prototype to name", () => {
    expect(check(['settings:merge', { when: 1n }])).toMatchObject({
      code: 'VALIDATION_FAILED',
      data: { details: [{ path: '', type: 'plainData' }] },
    });
  });
});
