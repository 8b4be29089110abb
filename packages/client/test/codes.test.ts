import { CODE_INFO, GUARD_ERROR_CODES as CORE_CODES } from '@portcullis/core';
import { GUARD_ERROR_CODES, isGuardErrorCode } from '../src';
import { RETRYABLE_BY_DEFAULT } from '../src/codes';

describe('the codes (the type-level twin of this test is test/codes.types.ts)', () => {
  it('are exactly core codes, in the same order', () => {
    expect([...GUARD_ERROR_CODES]).toEqual([...CORE_CODES]);
  });

  it('default to the retryable flag core gives each code', () => {
    for (const code of CORE_CODES)
      expect(RETRYABLE_BY_DEFAULT[code]).toBe(CODE_INFO[code].retryable);
  });

  it('are recognised only when known, never through the prototype', () => {
    expect(isGuardErrorCode('RATE_LIMITED')).toBe(true);
    for (const value of [
      'rate_limited',
      'toString',
      '__proto__',
      'constructor',
      42,
      null,
      undefined,
    ]) {
      expect(isGuardErrorCode(value)).toBe(false);
    }
  });
});
