import { isPortcullisConfigError, type PortcullisConfigError } from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import {
  checkServerOptions,
  recommendedMaxHttpBufferSize,
  sizeLimitGuard,
  sizeLimitGuardOptionsSpec,
  type SizeLimitGuardOptions,
} from '../src';

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

const guardWith = (options: unknown) => () => sizeLimitGuard(options as SizeLimitGuardOptions);

describe('sizeLimitGuard options', () => {
  it('refuses a misspelt key at every depth, naming the path and the nearest known key', () => {
    const top = configError(guardWith({ maxByte: 10 }));
    expect(top.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(top.message).toBe('sizeLimitGuard: maxByte: unknown option, did you mean maxBytes?');

    const perEvent = configError(guardWith({ events: { 'file:upload': { maxDeph: 4 } } }));
    expect(perEvent.path).toBe('events["file:upload"].maxDeph');
    expect(perEvent.suggestion).toBe('events["file:upload"].maxDepth');
    expect(perEvent.message).toContain('did you mean events["file:upload"].maxDepth?');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['maxBytes 0', { maxBytes: 0 }, 'maxBytes', /must be an integer ≥ 1; got 0/],
    ['a fractional maxBytes', { maxBytes: 1.5 }, 'maxBytes', /must be an integer/],
    ['maxDepth over the hard cap', { maxDepth: 5000 }, 'maxDepth', /from 1 to 1000/],
    ['binary as a string', { binary: 'yes' }, 'binary', /must be true or false/],
    [
      'allowPrototypeKeys as a string',
      { events: { a: { allowPrototypeKeys: 'yes' } } },
      'events.a.allowPrototypeKeys',
      /must be true or false/,
    ],
    ['events as an array', { events: [] }, 'events', /must be an object/],
    ['an empty event name', { events: { '': {} } }, 'events[""]', /empty event name/],
    ['an empty limitsEvent', { limitsEvent: '' }, 'limitsEvent', /non-empty string/],
    ['limitsEvent true', { limitsEvent: true }, 'limitsEvent', /false, or a non-empty string/],
  ])('refuses %s, naming the path', (_name, options, path, message) => {
    const error = configError(guardWith(options));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it.each<[string, unknown, string, RegExp]>([
    [
      'maxKeys: Infinity',
      { maxKeys: Infinity },
      'maxKeys',
      /Infinity no longer means no limit: write false/,
    ],
    [
      'a per-event maxArrayLength: Infinity',
      { events: { a: { maxArrayLength: Infinity } } },
      'events.a.maxArrayLength',
      /write false/,
    ],
    [
      'disconnectAfterRefusals',
      { disconnectAfterRefusals: 3 },
      'disconnectAfterRefusals',
      /removed: core decides when refusals cut a socket: configurePortcullis\(io, \{ escalation/,
    ],
    [
      'refusalWindowMs',
      { refusalWindowMs: 60_000 },
      'refusalWindowMs',
      /removed: core decides when refusals cut a socket/,
    ],
    ['now', { now: Date.now }, 'now', /removed: the guard keeps no clock/],
  ])('refuses the old spelling %s, saying what to write now', (_name, options, path, message) => {
    const error = configError(guardWith(options));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it('checks options given to checkServerOptions and recommendedMaxHttpBufferSize too', () => {
    const error = configError(() => recommendedMaxHttpBufferSize({ maxByte: 1 } as never));
    expect(error.message).toContain('recommendedMaxHttpBufferSize: maxByte: unknown option');
    expect(() => checkServerOptions({} as never, { events: [] } as never)).toThrow(
      /checkServerOptions: events: must be an object/,
    );
  });

  it('describes its options in an exported spec, the one the factory checks', () => {
    expect(Object.keys(sizeLimitGuardOptionsSpec.fields ?? {})).toEqual(
      expect.arrayContaining(['maxBytes', 'maxDepth', 'events', 'limitsEvent']),
    );
    expect(() =>
      sizeLimitGuardOptionsSpec.check({ maxKeys: false, limitsEvent: false }, ''),
    ).not.toThrow();
  });

  it('treats undefined as absent and fills in the defaults', () => {
    const guard = sizeLimitGuard({ maxBytes: undefined, events: { up: { binary: true } } });
    expect(guard.guardName).toBe('size-limit');
    expect(guard.largestMaxBytes).toBe(65_536);
    expect(guard.limits).toMatchObject({ maxBytes: 65_536, maxDepth: 32, binary: false });
    expect(guard.limits.events?.up).toMatchObject({ binary: true, maxAttachments: 10 });
  });

  it('lets per-event values inherit the top-level ones; false lifts a limit', () => {
    const guard = sizeLimitGuard({
      maxDepth: 5,
      maxKeys: false,
      events: { big: { maxBytes: 1_000_000, maxArrayLength: false } },
    });
    expect(guard.limits.events?.big).toMatchObject({ maxBytes: 1_000_000, maxDepth: 5 });
    expect(guard.limits).not.toHaveProperty('maxKeys');
    expect(guard.limits.events?.big).not.toHaveProperty('maxArrayLength');
    expect(guard.limits).toHaveProperty('maxArrayLength', 10_000);
    expect(guard.largestMaxBytes).toBe(1_000_000);
  });
});
