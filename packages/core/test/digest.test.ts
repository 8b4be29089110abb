import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { shortDigest } from '@portcullis/core';

/** The digest as denylist keys and revocation messages have always spelled it. */
function expected(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

describe('shortDigest', () => {
  it('is the first 22 characters of the SHA-256 in base64url, for any input', () => {
    const values = ['', 'a', 'session-1', 'jti-ü-漢字-🙂', 'x'.repeat(10_000)];
    for (let i = 0; i < 500; i++) values.push(`token-${i}-${i * 7919}`);
    for (const value of values) {
      const digest = shortDigest(value);
      expect(digest).toBe(expected(value));
      expect(digest).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
  });

  it('is a flat string of its own, not a view into the longer encoding', () => {
    // V8 says what a string is made of; a slice of the 43-character encoding would be a
    // SLICED string that keeps the whole encoding alive as long as the digest is kept.
    const script = [
      "const { shortDigest } = require('@portcullis/core');",
      "%DebugPrint(shortDigest('session-1'));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], {
      cwd: __dirname,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    // ONE_BYTE_STRING_TYPE before V8 12, SEQ_ONE_BYTE_STRING_TYPE since.
    const type = /type: (\w+)/.exec(run.stdout)?.[1];
    expect(type).toMatch(/^(SEQ_)?ONE_BYTE_STRING_TYPE$/);
  });

  it('tells different values apart', () => {
    const digests = new Set<string>();
    for (let i = 0; i < 2_000; i++) digests.add(shortDigest(`sid-${i}`));
    expect(digests.size).toBe(2_000);
  });
});
