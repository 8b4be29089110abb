import { sizeLimitGuard, type SizeLimitGuardOptions } from '../src';

describe('sizeLimitGuard options', () => {
  it.each<[string, unknown, RegExp]>([
    ['a typo', { maxByte: 10 }, /unknown option "maxByte"/],
    ['maxBytes 0', { maxBytes: 0 }, /maxBytes must be an integer >= 1/],
    ['a fractional maxBytes', { maxBytes: 1.5 }, /maxBytes must be an integer/],
    [
      'maxDepth over the hard cap',
      { maxDepth: 5000 },
      /maxDepth must be an integer between 1 and 1000/,
    ],
    ['binary as a string', { binary: 'yes' }, /binary must be a boolean/],
    [
      'allowPrototypeKeys as a string',
      { events: { a: { allowPrototypeKeys: 'yes' } } },
      /events\["a"\].allowPrototypeKeys must be a boolean/,
    ],
    ['events as an array', { events: [] }, /options.events must be an object/],
    [
      'an unknown per-event option',
      { events: { a: { max: 1 } } },
      /events\["a"\] has an unknown option "max"/,
    ],
    [
      'an empty limitsEvent',
      { limitsEvent: '' },
      /limitsEvent must be a non-empty event name or false/,
    ],
    ['disconnectAfterRefusals 0', { disconnectAfterRefusals: 0 }, /disconnectAfterRefusals/],
    ['a negative window', { refusalWindowMs: -1 }, /refusalWindowMs must be a positive number/],
    ['a clock that is not a function', { now: 5 }, /now must be a function/],
  ])('rejects %s with a message that says how to fix it', (_name, options, message) => {
    expect(() => sizeLimitGuard(options as SizeLimitGuardOptions)).toThrow(message);
  });

  it('treats undefined as absent and fills in the defaults', () => {
    const guard = sizeLimitGuard({ maxBytes: undefined, events: { up: { binary: true } } });
    expect(guard.guardName).toBe('size-limit');
    expect(guard.largestMaxBytes).toBe(65_536);
    expect(guard.limits).toMatchObject({ maxBytes: 65_536, maxDepth: 32, binary: false });
    expect(guard.limits.events?.up).toMatchObject({ binary: true, maxAttachments: 10 });
  });

  it('lets per-event values inherit the top-level ones', () => {
    const guard = sizeLimitGuard({ maxDepth: 5, events: { big: { maxBytes: 1_000_000 } } });
    expect(guard.limits.events?.big).toMatchObject({ maxBytes: 1_000_000, maxDepth: 5 });
    expect(guard.largestMaxBytes).toBe(1_000_000);
  });
});
