import { RecentRevocations } from '../src/recent-revocations';

describe("a node's log of recent revocations", () => {
  it('gives what was logged since a position, in order', () => {
    const log = new RecentRevocations();
    expect(log.since(log.position)).toEqual([]);
    const before = log.position;
    log.add({ kind: 'user', userId: 'ada' }, 1_000);
    const middle = log.position;
    log.add({ kind: 'session', session: 'S' }, 1_001);
    expect(log.since(before)).toEqual([
      { kind: 'user', userId: 'ada' },
      { kind: 'session', session: 'S' },
    ]);
    expect(log.since(middle)).toEqual([{ kind: 'session', session: 'S' }]);
    expect(log.since(log.position)).toEqual([]);
  });

  it('says when it no longer reaches back that far (after 30 s, or 1,000 revocations)', () => {
    const log = new RecentRevocations();
    const start = log.position;
    log.add({ kind: 'user', userId: 'ada' }, 0);
    const afterFirst = log.position;
    log.add({ kind: 'user', userId: 'bo' }, 30_001);
    // The first entry is older than 30 s: a handshake that began before it cannot know.
    expect(log.since(start)).toBeUndefined();
    expect(log.since(afterFirst)).toEqual([{ kind: 'user', userId: 'bo' }]);
    const flood = new RecentRevocations();
    const beforeFlood = flood.position;
    for (let index = 0; index < 1_500; index++) {
      flood.add({ kind: 'token', token: `t${index}` }, 5_000);
    }
    expect(flood.since(beforeFlood)).toBeUndefined();
    expect(flood.since(flood.position - 1_000)).toHaveLength(1_000);
  });
});
