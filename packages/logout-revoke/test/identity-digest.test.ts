import { shortDigest } from '@portcullis/core';
import { digest } from '../src/identity';

describe('digests of session and token ids', () => {
  it('gives the SHA-256 short digest of each id, remembered or not, past the bound', () => {
    const ids = Array.from({ length: 1_300 }, (_, index) => `session-${index}`);
    // Twice over more ids than are remembered: the second pass mixes remembered ids
    // with ids forgotten when the memory was emptied.
    for (const pass of [1, 2]) {
      for (const id of ids) expect([pass, id, digest(id)]).toEqual([pass, id, shortDigest(id)]);
    }
    const long = 'x'.repeat(300);
    expect(digest(long)).toBe(shortDigest(long));
    expect(digest(long)).toBe(shortDigest(long));
    expect(digest('session-1')).not.toBe(digest('session-2'));
  });
});
