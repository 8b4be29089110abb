import { GuardError, isGuardError } from '@portcullis/core';
import { refusalError } from '../src/refusal-error';

describe('refusalError', () => {
  it('answers the client exactly as a GuardError does, without capturing a stack', () => {
    const options = { retryAfterMs: 1500, info: { limit: 'socket' } };
    const refusal = refusalError('RATE_LIMITED', options);
    expect(isGuardError(refusal)).toBe(true);
    expect(refusal.data).toEqual(new GuardError('RATE_LIMITED', options).data);
    // Only the header line: no frame was collected.
    expect(refusal.stack?.split('\n')).toHaveLength(1);
  });

  it('leaves the stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    refusalError('RATE_LIMITED', {});
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('after').stack?.split('\n').length).toBeGreaterThan(1);
  });
});
