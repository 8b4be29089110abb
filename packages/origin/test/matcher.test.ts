import {
  createOriginMatcher,
  normalizeOrigin,
  type OriginMatcherOptions,
} from '@portcullis/origin';

/** Look-alikes of https://example.com and its subdomains: none may ever be allowed. */
export const LOOK_ALIKES = [
  'https://example.com.evil.test',
  'https://evilexample.com',
  'https://evil-example.com',
  'http://example.com',
  'https://example.com:8443',
  'https://example.com@evil.test',
  'https://user:pass@example.com',
  'https://evil.test#example.com',
  'https://evil.test?example.com',
  'https://evil.test/example.com',
  'https://example.com/path',
  'https://example.com.',
  'https://example.com, https://evil.test',
  'https://example.com%2eevil.test',
  'https://example.com\\.evil.test',
  ' https://example.com',
  'wss://example.com',
  'example.com',
  'https://',
  'https://*.example.com',
];

function verdict(options: OriginMatcherOptions, origin: unknown, secFetchSite?: unknown) {
  return createOriginMatcher(options).check(origin, secFetchSite);
}

describe('normalizeOrigin', () => {
  it.each([
    ['HTTPS://App.Example.COM', 'https://app.example.com'],
    ['https://example.com:443', 'https://example.com'],
    ['https://example.com:0443', 'https://example.com'],
    ['http://example.com:80', 'http://example.com'],
    ['wss://example.com:443', 'wss://example.com'],
    ['ws://example.com:80', 'ws://example.com'],
    ['https://example.com/', 'https://example.com'],
    ['http://example.com:443', 'http://example.com:443'],
    ['https://example.com:80', 'https://example.com:80'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['HTTP://[FE80::1]', 'http://[fe80::1]'],
    ['capacitor://localhost', 'capacitor://localhost'],
  ])('%s becomes %s', (input, expected) => {
    expect(normalizeOrigin(input)).toBe(expected);
  });

  it.each([
    'https://example.com/path',
    'https://example.com//',
    'https://example.com?',
    'https://example.com#',
    'https://user@example.com',
    'https://example.com@evil.test',
    'https://evil.test#example.com',
    'https://example.com:',
    'https://example.com:99999',
    'https://example.com:-1',
    'https://exa mple.com',
    'https://a.example, https://b.example',
    'https://example..com',
    'https://[::g]',
    'https://[1.2.3.4]',
    'https://bücher.example',
    'javascript:alert(1)',
    'null',
    '',
    `https://${'a'.repeat(3000)}.com`,
  ])('%j is not an origin', (input) => {
    expect(normalizeOrigin(input)).toBeUndefined();
  });

  it('never throws on non-strings', () => {
    for (const input of [undefined, null, 42, {}, ['https://example.com']]) {
      expect(normalizeOrigin(input)).toBeUndefined();
    }
  });
});

describe('createOriginMatcher: exact origins and patterns', () => {
  const options: OriginMatcherOptions = {
    origins: ['https://example.com', 'https://*.example.com'],
  };
  const matcher = createOriginMatcher(options);

  it.each(LOOK_ALIKES)('refuses the look-alike %j', (origin) => {
    expect(matcher.check(origin)).not.toBe('allowed');
  });

  it.each([
    'https://example.com',
    'HTTPS://EXAMPLE.COM',
    'https://example.com:443',
    'https://app.example.com',
    'https://a.b.example.com',
    'https://APP.example.com:443',
  ])('allows %j', (origin) => {
    expect(matcher.check(origin)).toBe('allowed');
  });

  it('says why it refuses', () => {
    expect(matcher.check('https://evil.test')).toBe('not_allowed');
    expect(matcher.check('https://example.com/path')).toBe('malformed');
    expect(matcher.check(['https://example.com'])).toBe('malformed');
    expect(matcher.check(undefined)).toBe('missing');
    expect(matcher.check('')).toBe('missing');
    expect(matcher.check('null')).toBe('null');
  });

  it('normalises the entries too: case, default port, trailing slash', () => {
    const loose = createOriginMatcher({ origins: ['HTTPS://App.Example.com:443/'] });
    expect(loose.check('https://app.example.com')).toBe('allowed');
    expect(loose.check('https://app.example.com:8443')).toBe('not_allowed');
  });

  it('matches a pattern only on its own scheme and port, never the bare parent', () => {
    const ported = createOriginMatcher({ origins: ['https://*.example.com:8443'] });
    expect(ported.check('https://app.example.com:8443')).toBe('allowed');
    expect(ported.check('https://app.example.com')).toBe('not_allowed');
    expect(ported.check('http://app.example.com:8443')).toBe('not_allowed');
    expect(ported.check('https://example.com:8443')).toBe('not_allowed');
    expect(ported.check('https://.example.com:8443')).toBe('malformed');
  });
});

describe('createOriginMatcher: missing, null and same-origin requests', () => {
  it('refuses a missing Origin unless allowMissingOrigin is set', () => {
    expect(verdict({ origins: ['https://example.com'] }, undefined)).toBe('missing');
    expect(verdict({ origins: ['https://example.com'], allowMissingOrigin: true }, undefined)).toBe(
      'allowed',
    );
  });

  it('refuses the literal null unless allowNullOrigin is set', () => {
    expect(verdict({ origins: ['https://example.com'] }, 'null')).toBe('null');
    expect(verdict({ origins: ['https://example.com'], allowNullOrigin: true }, 'null')).toBe(
      'allowed',
    );
    // allowMissingOrigin is about no header, not about 'null'.
    expect(verdict({ origins: ['https://example.com'], allowMissingOrigin: true }, 'null')).toBe(
      'null',
    );
  });

  it('lets a same-origin browser request without Origin through, unless told not to', () => {
    const options = { origins: ['https://example.com'] };
    expect(verdict(options, undefined, 'same-origin')).toBe('allowed');
    expect(verdict(options, undefined, 'same-site')).toBe('missing');
    expect(verdict(options, undefined, 'cross-site')).toBe('missing');
    expect(verdict({ ...options, trustFetchMetadata: false }, undefined, 'same-origin')).toBe(
      'missing',
    );
    // With an Origin header, Sec-Fetch-Site changes nothing.
    expect(verdict(options, 'https://evil.test', 'same-origin')).toBe('not_allowed');
  });
});

describe('createOriginMatcher: RegExp entries', () => {
  it('matches the whole canonical origin', () => {
    const matcher = createOriginMatcher({ origins: [/^https:\/\/pr-\d+\.preview\.example\.com$/] });
    expect(matcher.check('https://pr-42.preview.example.com')).toBe('allowed');
    expect(matcher.check('HTTPS://PR-42.preview.example.com:443')).toBe('allowed');
    expect(matcher.check('https://pr-42.preview.example.com.evil.test')).toBe('not_allowed');
    expect(matcher.check('https://pr-x.preview.example.com')).toBe('not_allowed');
  });

  it('keeps an alternation inside the anchors', () => {
    // Unwrapped, /^https:\/\/a\.test|b\.test$/ would accept anything ending in b.test.
    const matcher = createOriginMatcher({ origins: [/^https:\/\/a\.test|https:\/\/b\.test$/] });
    expect(matcher.check('https://a.test')).toBe('allowed');
    expect(matcher.check('https://b.test')).toBe('allowed');
    expect(matcher.check('https://a.test.evil.test')).toBe('not_allowed');
    expect(matcher.check('https://evil.test.b.test')).toBe('not_allowed');
  });

  it('is not stateful with the g or y flag', () => {
    const matcher = createOriginMatcher({ origins: [/^https:\/\/example\.com$/gy] });
    for (let i = 0; i < 3; i++) expect(matcher.check('https://example.com')).toBe('allowed');
  });

  it.each([/example\.com/, /^https:\/\/example\.com/, /https:\/\/example\.com$/, /^a\$/])(
    'refuses the unanchored %s at set-up',
    (regexp) => {
      expect(() => createOriginMatcher({ origins: [regexp] })).toThrow(/not anchored/);
    },
  );

  it('refuses an unescaped dot between letters at set-up', () => {
    expect(() => createOriginMatcher({ origins: [/^https:\/\/app.example\.com$/] })).toThrow(
      /unescaped '\.'/,
    );
    // A dot in a class or before a quantifier is deliberate.
    expect(() =>
      createOriginMatcher({
        origins: [/^https:\/\/[a-z.]+\.example\.com$/, /^https:\/\/.*\.test$/],
      }),
    ).not.toThrow();
  });
});

describe('createOriginMatcher: function entries', () => {
  it('allows only on true, sync or async, and passes the canonical origin', async () => {
    const seen: string[] = [];
    const matcher = createOriginMatcher({
      origins: [
        (origin) => {
          seen.push(origin);
          return origin === 'https://sync.test';
        },
        async (origin) => origin === 'https://async.test',
        ((origin: string) => (origin === 'https://truthy.test' ? 'yes' : 0)) as unknown as (
          origin: string,
        ) => boolean,
      ],
    });
    expect(matcher.check('HTTPS://SYNC.test:443/')).toBe('allowed');
    expect(seen).toEqual(['https://sync.test']);
    await expect(matcher.check('https://async.test')).resolves.toBe('allowed');
    await expect(matcher.check('https://truthy.test')).resolves.toBe('not_allowed');
    await expect(matcher.check('https://other.test')).resolves.toBe('not_allowed');
  });

  it('never calls a function for a malformed, missing or null origin', () => {
    const calls: string[] = [];
    const matcher = createOriginMatcher({
      origins: [(origin) => (calls.push(origin), true)],
    });
    expect(matcher.check('https://example.com@evil.test')).toBe('malformed');
    expect(matcher.check(undefined)).toBe('missing');
    expect(matcher.check('null')).toBe('null');
    expect(calls).toEqual([]);
  });

  it('fails closed with check_failed when a function throws or rejects', async () => {
    // Jest's sandbox does not forward process 'warning' events: observe the call instead.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const throwing = createOriginMatcher({
        origins: [
          (origin) => {
            if (origin === 'https://reject.test') return Promise.reject(new Error('db down'));
            throw new Error('db down');
          },
        ],
      });
      expect(throwing.check('https://throw.test')).toBe('check_failed');
      await expect(throwing.check('https://reject.test')).resolves.toBe('check_failed');
      // Reported once per matcher, not once per request.
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning.mock.calls[0]?.[1]).toEqual({ code: 'PORTCULLIS_ORIGIN_CHECK_FAILED' });
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('createOriginMatcher: set-up validation', () => {
  it.each([
    [{}, /origins: is required/],
    [{ origins: [] }, /'origins' is empty/],
    [{ origins: ['https://example.com/app'] }, /not an origin.*use 'https:\/\/example\.com'/],
    [{ origins: ['https://example.com@evil.test'] }, /not an origin.*without path/],
    [{ origins: ['example.com'] }, /not an origin/],
    [{ origins: ['null'] }, /allowNullOrigin: true/],
    [{ origins: ['*'] }, /every site/],
    [{ origins: ['https://*.com'] }, /every site under '\.com'/],
    [{ origins: ['https://app.*.example.com'] }, /one '\*'/],
    [{ origins: ['https://*example.com'] }, /one '\*'/],
    [{ origins: ['https://*.example.com/app'] }, /not a valid pattern/],
    [{ origins: ['https://bücher.example'] }, /punycode/],
    [{ origins: [42] }, /origins\[0\]: must be .*; got 42/],
    [{ origins: [null] }, /got null/],
    [{ origins: ['https://example.com'], allowMissingOrigin: 'yes' }, /must be true or false/],
  ])('%j throws a message that says how to fix it', (options, message) => {
    expect(() => createOriginMatcher(options as unknown as OriginMatcherOptions)).toThrow(message);
  });

  it('accepts an empty list for native clients only, and a single entry without array', () => {
    expect(createOriginMatcher({ origins: [], allowMissingOrigin: true }).check(undefined)).toBe(
      'allowed',
    );
    expect(
      createOriginMatcher({ origins: 'https://example.com' }).check('https://example.com'),
    ).toBe('allowed');
    expect(
      createOriginMatcher({ origins: ['https://*.localhost'] }).check('https://a.localhost'),
    ).toBe('allowed');
  });
});

describe('createOriginMatcher: corsOrigin', () => {
  it('reflects allowed origins only', async () => {
    const { corsOrigin } = createOriginMatcher({
      origins: ['https://example.com', async (origin) => origin === 'https://async.test'],
    });
    const ask = (origin: string | undefined): Promise<boolean | undefined> =>
      new Promise((resolve) => corsOrigin(origin, (_err, allow) => resolve(allow)));
    await expect(ask('https://example.com')).resolves.toBe(true);
    await expect(ask('https://async.test')).resolves.toBe(true);
    await expect(ask('https://example.com.evil.test')).resolves.toBe(false);
    await expect(ask(undefined)).resolves.toBe(false);
  });
});
