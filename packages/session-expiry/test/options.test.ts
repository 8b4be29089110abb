import {
  checkOptions,
  isPortcullisConfigError,
  type PortcullisConfigError,
} from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import {
  checkConnectionStateRecovery,
  checkConnectionStateRecoveryOptionsSpec,
  sessionExpiryGuard,
  sessionExpiryGuardOptionsSpec,
} from '../src';

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** The factory and its exported spec refuse the options with the same error. */
function refused(options: unknown): PortcullisConfigError {
  const fromFactory = configError(() => sessionExpiryGuard(options as never));
  const fromSpec = configError(() =>
    checkOptions(sessionExpiryGuardOptionsSpec, options, 'sessionExpiryGuard'),
  );
  expect(fromSpec.message).toBe(fromFactory.message);
  return fromFactory;
}

describe('sessionExpiry options', () => {
  it.each([
    [{ warnBeforeMS: 1000 }, 'warnBeforeMs'],
    [{ gracems: 1000 }, 'graceMs'],
    [{ onRevalidateEror: 'deny' }, 'onRevalidateError'],
    [{ publicEvent: ['news'] }, 'publicEvents'],
    [{ verifyTokn: () => Promise.reject(new Error('x')) }, 'verifyToken'],
  ])('refuses the misspelt %j, suggesting %s', (options, suggestion) => {
    const [key] = Object.keys(options) as [string];
    const error = refused(options);
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.message).toBe(
      `sessionExpiryGuard: ${key}: unknown option, did you mean ${suggestion}?`,
    );
  });

  it('says the new spelling of retired values', () => {
    expect(refused({ warnBeforeMs: 0 }).message).toBe(
      'sessionExpiryGuard: warnBeforeMs: is 0: use false for no warning.',
    );
    const revalidate = () => true;
    expect(refused({ revalidate, onRevalidateError: 'keep' }).message).toBe(
      "sessionExpiryGuard: onRevalidateError: 'keep' is now 'allow'.",
    );
    expect(refused({ revalidate, onRevalidateError: 'disconnect' }).message).toBe(
      "sessionExpiryGuard: onRevalidateError: 'disconnect' is now 'deny'.",
    );
    expect(refused({ now: Date.now }).message).toContain('configurePortcullis(io, { now })');
    expect(() => sessionExpiryGuard({ warnBeforeMs: false })).not.toThrow();
    expect(() => sessionExpiryGuard({ revalidate, onRevalidateError: 'allow' })).not.toThrow();
  });

  it('refuses options that would silently misbehave, saying how to fix them', () => {
    const revalidate = () => true;
    expect(refused({ revalidate }).message).toMatch(
      /onRevalidateError: 'allow' \(the socket stays\) or 'deny'/,
    );
    expect(refused({ onRevalidateError: 'deny' }).code).toBe('PORTCULLIS_CONFIG_CONFLICT');
    expect(refused({ revalidateIntervalMs: 60_000 }).message).toMatch(/only apply with revalidate/);
    expect(refused({ publicEvents: ['news'] }).message).toMatch(/drop-user/);
    expect(refused({ atExpiry: 'close' }).message).toBe(
      'sessionExpiryGuard: atExpiry: must be "disconnect" or "drop-user"; got a string.',
    );
    expect(refused({ graceMs: -1 }).path).toBe('graceMs');
    expect(refused({ revalidate, onRevalidateError: 'deny', revalidateIntervalMs: 0 }).path).toBe(
      'revalidateIntervalMs',
    );
    expect(sessionExpiryGuard().guardName).toBe('session-expiry');
  });

  it('checks the options of the recovery check too', () => {
    const error = configError(() =>
      checkConnectionStateRecovery({} as never, { wrn: () => undefined } as never),
    );
    expect(error.message).toBe(
      'checkConnectionStateRecovery: wrn: unknown option, did you mean warn?',
    );
    expect(() =>
      checkOptions(checkConnectionStateRecoveryOptionsSpec, { warn: () => undefined }, 'x'),
    ).not.toThrow();
  });
});
