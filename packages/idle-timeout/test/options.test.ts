import {
  checkOptions,
  isPortcullisConfigError,
  type PortcullisConfigError,
} from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import { idleTimeoutGuard, idleTimeoutGuardOptionsSpec } from '../src';

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** The factory and its exported spec refuse the options with the same error. */
function refused(options: unknown): PortcullisConfigError {
  const fromFactory = configError(() => idleTimeoutGuard(options as never));
  const fromSpec = configError(() =>
    checkOptions(idleTimeoutGuardOptionsSpec, options, 'idleTimeoutGuard'),
  );
  expect(fromSpec.message).toBe(fromFactory.message);
  return fromFactory;
}

describe('idleTimeout options', () => {
  it.each([
    [{ idleTimoutMs: 1000 }, 'idleTimeoutMs'],
    [{ maxConnectionAgeMS: 1000 }, 'maxConnectionAgeMs'],
    [{ maxBuferedBytes: 1024 }, 'maxBufferedBytes'],
    [{ slowReaderGraceMS: 1000 }, 'slowReaderGraceMs'],
    [{ countAsActivity: () => true }, 'countsAsActivity'],
  ])('refuses the misspelt %j, suggesting %s', (options, suggestion) => {
    const [key] = Object.keys(options) as [string];
    const error = refused(options);
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.message).toBe(
      `idleTimeoutGuard: ${key}: unknown option, did you mean ${suggestion}?`,
    );
  });

  it('refuses bad values with a message that says how to fix them', () => {
    expect(refused({ idleTimeoutMs: 0 }).message).toBe(
      'idleTimeoutGuard: idleTimeoutMs: must be false, or a number of milliseconds ≥ 1; got 0.',
    );
    expect(refused({ idleTimeoutMs: Number.NaN }).path).toBe('idleTimeoutMs');
    expect(refused({ maxConnectionAgeMs: -1 }).path).toBe('maxConnectionAgeMs');
    expect(refused({ maxBufferedBytes: 0 }).message).toBe(
      'idleTimeoutGuard: maxBufferedBytes: must be false, or an integer ≥ 1; got 0.',
    );
    expect(refused({ maxBufferedBytes: 1.5 }).path).toBe('maxBufferedBytes');
    expect(refused({ slowReaderGraceMs: -5 }).path).toBe('slowReaderGraceMs');
    expect(refused({ countsAsActivity: 'chat' }).message).toBe(
      'idleTimeoutGuard: countsAsActivity: must be a function; got a string.',
    );
    expect(refused({ now: Date.now }).message).toContain('configurePortcullis(io, { now })');
  });

  it('false turns each check off, and all of them off is a mistake', () => {
    expect(() => idleTimeoutGuard({ maxBufferedBytes: false })).not.toThrow();
    expect(() =>
      idleTimeoutGuard({ idleTimeoutMs: false, maxConnectionAgeMs: 60_000 }),
    ).not.toThrow();
    expect(() => idleTimeoutGuard({ maxConnectionAgeMs: false })).not.toThrow();
    expect(refused({ maxBufferedBytes: false, slowReaderGraceMs: 1000 }).code).toBe(
      'PORTCULLIS_CONFIG_CONFLICT',
    );
    expect(refused({ idleTimeoutMs: false, maxBufferedBytes: false }).message).toMatch(
      /every check is off/,
    );
    expect(idleTimeoutGuard().guardName).toBe('idle-timeout');
  });
});
