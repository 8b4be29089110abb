import { GuardError } from '@portcullis/core';
import { GUARD_ERROR_CODES, describeGuardError, readGuardError, type GuardErrorInfo } from '../src';

function info(code: GuardErrorInfo['code'], extra: Partial<GuardErrorInfo> = {}): GuardErrorInfo {
  return { ...(readGuardError(new GuardError(code).data) as GuardErrorInfo), ...extra };
}

describe('describeGuardError', () => {
  it('has a distinct sentence for every code, free of the server message', () => {
    const sentences = GUARD_ERROR_CODES.filter((code) => code !== 'SESSION_EXPIRED').map((code) =>
      describeGuardError(info(code)),
    );
    expect(new Set(sentences).size).toBe(sentences.length);
    for (const sentence of sentences) expect(sentence).toMatch(/^[A-Z].*[.…]$/);
    const odd = describeGuardError(info('FORBIDDEN', { message: '<img src=x onerror=alert(1)>' }));
    expect(odd).not.toContain('<');
  });

  it('says how long to wait, rounded up, and what was limited', () => {
    expect(
      describeGuardError(info('RATE_LIMITED', { event: 'chat:send', retryAfterMs: 2_100 })),
    ).toBe('Too many messages; try again in 3 s.');
    expect(describeGuardError(info('RATE_LIMITED', { retryAfterMs: 150_000 }))).toBe(
      'Too many connection attempts; try again in 3 min.',
    );
    expect(describeGuardError(info('RATE_LIMITED', { event: 'chat:send' }))).toBe(
      'Too many messages; please slow down.',
    );
  });

  it('names the size limit when the server gave it', () => {
    const large = info('PAYLOAD_TOO_LARGE', {
      info: { limit: 'maxBytes', max: 65_536, limitBytes: 65_536 },
    });
    expect(describeGuardError(large)).toBe('That message is too large (the limit is 64 KB).');
    const long = info('PAYLOAD_TOO_LARGE', { info: { limit: 'maxStringLength', max: 500 } });
    expect(describeGuardError(long)).toBe(
      'That message is too long (the limit is 500 characters).',
    );
  });

  it('speaks of the session the way the user lived it', () => {
    expect(describeGuardError(info('SESSION_EXPIRED'))).toBe('Your session expired; refreshing…');
    expect(describeGuardError(info('AUTH_EXPIRED'), { refreshing: false })).toBe(
      'Your session expired; please sign in again.',
    );
    expect(describeGuardError(info('SESSION_REVOKED'))).toBe(
      'You were logged out from another tab or device.',
    );
  });
});
