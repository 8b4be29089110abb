import { isClusterClient, slotSafePrefix } from '../src';

describe('slotSafePrefix: one hash slot for a store on a Redis Cluster', () => {
  const cluster = { isCluster: true, call: () => Promise.resolve() };
  const single = { status: 'ready', call: () => Promise.resolve() };

  it('braces a prefix without a hash tag on a Cluster client only', () => {
    expect(isClusterClient(cluster)).toBe(true);
    expect(isClusterClient(single)).toBe(false);
    expect(slotSafePrefix(cluster, 'portcullis:revoked:')).toBe('{portcullis:revoked}:');
    expect(slotSafePrefix(cluster, 'app')).toBe('{app}:');
    expect(slotSafePrefix(single, 'portcullis:revoked:')).toBe('portcullis:revoked:');
  });

  it('keeps a prefix that already holds a tag, and an empty one', () => {
    expect(slotSafePrefix(cluster, '{chat}:revoked:')).toBe('{chat}:revoked:');
    expect(slotSafePrefix(cluster, '')).toBe('');
  });
});
