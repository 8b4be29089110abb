import { batchWritesThisTurn, createRedisAdapter, type RedisAdapter } from '@portcullis/core';
import { describeRedis, onCleanup, readyIoredis, startOwnRedis } from '@portcullis/testing';

/** Adds ARGV[1] to KEYS[1] and returns the total. */
const ADD = `return redis.call('INCRBY', KEYS[1], ARGV[1])`;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads Redis made from its clients' sockets so far (this INFO's own read included). */
async function readsProcessed(adapter: RedisAdapter): Promise<number> {
  const info = String(await adapter.command(['INFO', 'stats']));
  return Number(/total_reads_processed:(\d+)/.exec(info)?.[1]);
}

type Redis = Awaited<ReturnType<typeof readyIoredis>>;

/** A Redis of this test's own, so no other client's reads are counted. */
async function ownClient(): Promise<{ client: Redis; adapter: RedisAdapter }> {
  const redis = await startOwnRedis();
  onCleanup(() => redis.stop());
  const client = await readyIoredis(redis.url);
  return { client, adapter: createRedisAdapter(client) };
}

describeRedis("one write for the commands of one turn (core's Redis adapter)", () => {
  it('holds the commands of a turn back and sends them together when the turn ends', async () => {
    const { client, adapter } = await ownClient();
    const add = adapter.script(ADD);
    await add.run(['n'], [0]); // loaded, so every run below is one EVALSHA
    const rounds = 40;
    const before = await readsProcessed(adapter);
    for (let round = 1; round <= rounds; round++) {
      const answers = Promise.all([
        adapter.command(['INCR', 'a']),
        adapter.command(['MGET', 'a', 'missing']),
        add.run(['n'], [2]),
      ]);
      // Nothing has left yet: the socket is corked, the three commands wait in its buffer.
      expect(client.stream.writableCorked).toBe(1);
      expect(client.stream.writableLength).toBeGreaterThan(0);
      await expect(answers).resolves.toEqual([round, [String(round), null], 2 * round]);
    }
    const reads = (await readsProcessed(adapter)) - before;
    // One read per round for its three commands (plus the last INFO); one write each
    // would have made three reads a round.
    expect(reads).toBeLessThanOrEqual(rounds + 5);
  });

  it('lets go of the socket at the end of the turn, and batches again in the next one', async () => {
    const { client, adapter } = await ownClient();
    const first = adapter.command(['SET', 'k', 'one']);
    expect(client.stream.writableCorked).toBe(1);
    await nextTurn();
    expect(client.stream.writableCorked).toBe(0);
    expect(await first).toBe('OK');
    // Calling it again in one turn corks once, so one uncork sends everything.
    batchWritesThisTurn(client);
    batchWritesThisTurn(client);
    expect(client.stream.writableCorked).toBe(1);
    const second = adapter.command(['GET', 'k']);
    await nextTurn();
    expect(client.stream.writableCorked).toBe(0);
    expect(await second).toBe('one');
  });

  it('follows the client to its new socket after a reconnection', async () => {
    const { client, adapter } = await ownClient();
    const firstSocket = client.stream;
    client.disconnect(true);
    await new Promise((resolve) => client.once('ready', resolve));
    expect(client.stream).not.toBe(firstSocket);
    const answer = adapter.command(['PING']);
    expect(client.stream.writableCorked).toBe(1);
    expect(await answer).toBe('PONG');
    expect(client.stream.writableCorked).toBe(0);
  });

  it('leaves clients without a socket of their own as they are', () => {
    expect(() => batchWritesThisTurn({ call: async () => 1 })).not.toThrow();
    expect(() => batchWritesThisTurn({ sendCommand: async () => 'OK' })).not.toThrow();
  });
});
