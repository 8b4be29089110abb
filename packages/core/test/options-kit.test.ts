import {
  PortcullisConfigError,
  checkOptions,
  isPortcullisConfigError,
  nearestName,
  opt,
  withOptionPath,
} from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';

const spec = opt.object({
  secret: opt.string(),
  algorithms: opt.required(opt.array(opt.oneOf(['HS256', 'RS256']), { minLength: 1 })),
  audience: opt.string(),
  clockToleranceMs: opt.duration({ min: 0, max: 60_000 }),
  messages: opt.off(
    opt.object({
      perUser: opt.off(
        opt.object({ points: opt.integer({ min: 1 }), durationMs: opt.duration({ min: 1 }) }),
      ),
      costPerKiB: opt.off(opt.integer({ min: 0 })),
    }),
  ),
  events: opt.record(
    opt.object({ maxBytes: opt.integer({ min: 1, infinity: true }) }),
    'event names',
  ),
});

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

describe('the options kit', () => {
  it('accepts what the spec describes; undefined counts as absent', () => {
    expect(() =>
      checkOptions(
        spec,
        {
          algorithms: ['HS256'],
          audience: undefined,
          messages: { perUser: false, costPerKiB: 1 },
          events: { 'chat:send': { maxBytes: Infinity } },
        },
        'authGuard',
      ),
    ).not.toThrow();
    expect(() => checkOptions(spec, { algorithms: ['RS256'], messages: false }, 'x')).not.toThrow();
  });

  it('refuses an unknown key at any depth, naming the path and the nearest known key', () => {
    const top = configError(() =>
      checkOptions(spec, { algorithms: ['HS256'], audiance: 'app' }, 'authGuard'),
    );
    expect(top.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(top.path).toBe('audiance');
    expect(top.message).toBe('authGuard: audiance: unknown option, did you mean audience?');

    const deep = configError(() =>
      checkOptions(
        spec,
        { algorithms: ['HS256'], messages: { perUser: { point: 3 } } },
        'rateLimitGuard',
      ),
    );
    expect(deep.path).toBe('messages.perUser.point');
    expect(deep.suggestion).toBe('messages.perUser.points');

    const inRecord = configError(() =>
      checkOptions(spec, { algorithms: ['HS256'], events: { 'chat:send': { maxByte: 1 } } }, 'x'),
    );
    expect(inRecord.path).toBe('events["chat:send"].maxByte');
    expect(inRecord.message).toContain('did you mean events["chat:send"].maxBytes?');

    // Far from every known key: no guess.
    const far = configError(() => checkOptions(spec, { algorithms: ['HS256'], zzzzzzzz: 1 }, 'x'));
    expect(far.suggestion).toBeUndefined();
    expect(far.message).toBe('x: zzzzzzzz: unknown option');
  });

  it('reports a typo before a missing key it may have caused', () => {
    const error = configError(() => checkOptions(spec, { algorithm: ['HS256'] }, 'authGuard'));
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.suggestion).toBe('algorithms');
    const missing = configError(() => checkOptions(spec, {}, 'authGuard'));
    expect(missing.code).toBe('PORTCULLIS_CONFIG_MISSING');
    expect(missing.path).toBe('algorithms');
  });

  it('checks types and ranges, never echoing a value that could be a secret', () => {
    const type = configError(() => checkOptions(spec, { algorithms: ['HS256'], secret: 42 }, 'x'));
    expect(type.code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    const range = configError(() =>
      checkOptions(spec, { algorithms: ['HS256'], clockToleranceMs: 120_000 }, 'x'),
    );
    expect(range.code).toBe('PORTCULLIS_CONFIG_OUT_OF_RANGE');
    expect(range.message).toContain('from 0 to 60000');
    const secret = configError(() =>
      checkOptions(spec, { algorithms: ['HS256'], audience: '' }, 'x'),
    );
    expect(secret.message).not.toContain('super-secret');
    const leaked = configError(() =>
      checkOptions(spec, { algorithms: ['super-secret-value'] }, 'x'),
    );
    expect(leaked.message).not.toContain('super-secret-value');
    expect(leaked.path).toBe('algorithms[0]');
  });

  it('false turns a thing off, and only false', () => {
    const error = configError(() =>
      checkOptions(spec, { algorithms: ['HS256'], messages: true }, 'x'),
    );
    expect(error.code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    expect(error.message).toContain('false, or an object');
  });

  it('re-anchors a guard error under the preset key that held its options', () => {
    const error = configError(() =>
      withOptionPath('auth', 'portcullis', () =>
        checkOptions(spec, { algorithms: ['HS256'], audiance: 'a' }, 'authGuard'),
      ),
    );
    expect(error.path).toBe('auth.audiance');
    expect(error.message).toBe(
      'portcullis: auth.audiance: unknown option, did you mean auth.audience?',
    );
    expect(error).toBeInstanceOf(TypeError);
  });

  it('guesses typos, swaps and case, not unrelated words', () => {
    expect(nearestName('mesages', ['messages', 'connections'])).toBe('messages');
    expect(nearestName('maxbytes', ['maxBytes', 'maxDepth'])).toBe('maxBytes');
    expect(nearestName('audeince', ['audience', 'issuer'])).toBe('audience');
    expect(nearestName('redis', ['origins', 'auth'])).toBeUndefined();
  });
});
