import {
  checkOptions,
  isPortcullisConfigError,
  type OptionSpec,
  type PortcullisConfigError,
} from '@portcullis/core';
import {
  authGuard,
  authGuardOptionsSpec,
  authorize,
  authorizeOptionsSpec,
  authorizeRulesSpec,
  createTokenVerifier,
  createTokenVerifierOptionsSpec,
  recheckRecoveredSockets,
  recheckRecoveredSocketsOptionsSpec,
} from '../src';
import { startServer, thrownBy } from '@portcullis/testing';
import { SECRET, sign } from './helpers';

type Factory = (options: never) => unknown;

const factories: Record<string, { build: Factory; spec: OptionSpec }> = {
  authGuard: { build: authGuard as Factory, spec: authGuardOptionsSpec },
  createTokenVerifier: {
    build: createTokenVerifier as Factory,
    spec: createTokenVerifierOptionsSpec,
  },
};

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** The factory and its exported spec refuse the options with the same error. */
function refused(factory: string, options: unknown): PortcullisConfigError {
  const { build, spec } = factories[factory] as { build: Factory; spec: OptionSpec };
  const fromFactory = configError(() => build(options as never));
  const fromSpec = configError(() => checkOptions(spec, options, factory));
  expect(fromSpec.message).toBe(fromFactory.message);
  return fromFactory;
}

const base = { algorithms: ['HS256'] as const, secret: SECRET };

describe('auth options', () => {
  it('refuses a misspelt audience instead of starting without the audience check', () => {
    const error = refused('authGuard', { ...base, audiance: 'my-app' });
    expect(error.message).toBe('authGuard: audiance: unknown option, did you mean audience?');
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
  });

  // A misspelt key at every depth: the top, claim names, the remote key set, a key entry.
  it.each([
    ['authGuard', { ...base, issuers: 'https://id' }, 'issuers', 'issuer'],
    ['authGuard', { ...base, clockToleranceMS: 0 }, 'clockToleranceMS', 'clockToleranceMs'],
    ['authGuard', { ...base, sorces: ['auth'] }, 'sorces', 'sources'],
    [
      'authGuard',
      { ...base, claimNames: { tokenID: 'tid' } },
      'claimNames.tokenID',
      'claimNames.tokenId',
    ],
    [
      'authGuard',
      { algorithms: ['RS256'], jwks: { url: 'https://id.example/jwks', cooldownMS: 1 } },
      'jwks.cooldownMS',
      'jwks.cooldownMs',
    ],
    [
      'authGuard',
      { algorithms: ['RS256'], publicKeys: [{ pem: 'x', kidd: 'k' }] },
      'publicKeys[0].kidd',
      'publicKeys[0].kid',
    ],
    ['createTokenVerifier', { ...base, requiredClaim: ['exp'] }, 'requiredClaim', 'requiredClaims'],
    [
      'createTokenVerifier',
      { ...base, claimNames: { sesionId: 'sid' } },
      'claimNames.sesionId',
      'claimNames.sessionId',
    ],
  ])('%s refuses %j at %s, suggesting %s', (factory, options, path, suggestion) => {
    const error = refused(factory, options);
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.path).toBe(path);
    expect(error.suggestion).toBe(suggestion);
    expect(error.message).toBe(`${factory}: ${path}: unknown option, did you mean ${suggestion}?`);
  });

  it('says an undefined secret is undefined, not missing (an unset environment variable)', () => {
    const error = refused('authGuard', {
      secret: process.env.PORTCULLIS_TEST_UNSET_SECRET,
      algorithms: ['HS256'],
    });
    expect(error.message).toBe(
      'authGuard: secret was given but is undefined (is the environment variable set?).',
    );
    expect(error.code).toBe('PORTCULLIS_CONFIG_MISSING');
    // Absent altogether: the usual advice.
    expect(refused('authGuard', { algorithms: ['HS256'] }).message).toMatch(
      /authGuard: pass exactly one of `secret`/,
    );
    // Undefined beside a real key is simply absent.
    expect(() => authGuard({ ...base, jwks: undefined })).not.toThrow();
  });

  it("false turns maxTokenAgeMs off; clocks are core's, except the standalone verifier's", () => {
    expect(() => authGuard({ ...base, maxTokenAgeMs: false })).not.toThrow();
    expect(refused('authGuard', { ...base, maxTokenAgeMs: 0 }).message).toBe(
      'authGuard: maxTokenAgeMs: must be false, or a number of milliseconds ≥ 1; got 0.',
    );
    const now = refused('authGuard', { ...base, now: Date.now });
    expect(now.message).toContain('configurePortcullis(io, { now })');
    expect(() => createTokenVerifier({ ...base, now: Date.now })).not.toThrow();
    const recheck = configError(() =>
      recheckRecoveredSockets({} as never, { now: Date.now } as never),
    );
    expect(recheck.message).toContain('configurePortcullis(io, { now })');
    expect(() => checkOptions(recheckRecoveredSocketsOptionsSpec, { now: Date.now }, 'x')).toThrow(
      /configurePortcullis/,
    );
  });

  it('names the option a key problem is in, with a code', () => {
    const short = configError(() => authGuard({ algorithms: ['HS256'], secret: 'hunter2' }));
    expect([short.code, short.path]).toEqual(['PORTCULLIS_CONFIG_OUT_OF_RANGE', 'secret']);
    const rotated = configError(() =>
      createTokenVerifier({ algorithms: ['HS256'], secret: [SECRET, 'short'] }),
    );
    expect(rotated.message).toMatch(/^createTokenVerifier: secret\[1\]: has 5 bytes/);
    const http = configError(() =>
      authGuard({ algorithms: ['RS256'], jwks: { url: 'http://id.example.com/jwks' } }),
    );
    expect(http.path).toBe('jwks.url');
  });

  it("builds the refresh verifier from authGuard's own options object", async () => {
    const authOptions = {
      ...base,
      sources: ['auth', 'cookie'],
      cookieName: 'jwt',
      optional: true,
    } as const;
    expect(() => authGuard(authOptions)).not.toThrow();
    const verify = createTokenVerifier(authOptions);
    await expect(verify(await sign({ sub: 'carol' }))).resolves.toMatchObject({ id: 'carol' });
  });

  it('checks the rules and options of authorize, with paths under rules', () => {
    const typo = configError(() => authorize({ 'admin:ban': { rolse: ['admin'] } as never }));
    expect(typo.message).toBe(
      'authorize: rules["admin:ban"].rolse: unknown option, did you mean rules["admin:ban"].roles?',
    );
    const option = configError(() => authorize({}, { unkown: 'allow' } as never));
    expect(option.message).toBe('authorize: unkown: unknown option, did you mean unknown?');
    expect(() => checkOptions(authorizeRulesSpec, { a: true, b: () => true }, 'x')).not.toThrow();
    expect(() => checkOptions(authorizeOptionsSpec, { unknown: 'allow' }, 'x')).not.toThrow();
  });

  it('refuses a misspelt option before a server ever starts', async () => {
    let started = false;
    await expect(
      startServer({
        setup(io) {
          io.use(authGuard({ ...base, audeince: 'chat' } as never));
          started = true;
        },
      }),
    ).rejects.toThrow('did you mean audience?');
    expect(started).toBe(false);
  });
});
