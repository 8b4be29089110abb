import { setPacketBytes, type PacketGuard } from '@portcullis/core';
import { connectClient, emitWithAck } from '@portcullis/testing';
import { messageRateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer, isErrorReply, manualClock } from './helpers';

/**
 * Stands in for `@portcullis/size-limit` (not a dependency of this package), which
 * publishes each packet's size on its raw frames through core's `setPacketBytes`.
 * Test-only: it re-serialises the arguments, which the real guard never does.
 */
const measure: PacketGuard = {
  guardName: 'measure',
  check(_socket, packet) {
    const end = typeof packet[packet.length - 1] === 'function' ? packet.length - 1 : packet.length;
    setPacketBytes(packet, Buffer.byteLength(`42${JSON.stringify(packet.slice(0, end))}`));
  },
};

/** How many of `count` acked emits of `payload` pass before the first refusal. */
async function passes(
  client: Awaited<ReturnType<typeof connectClient>>,
  payload: string,
  count: number,
): Promise<number> {
  let passed = 0;
  for (let index = 0; index < count; index++) {
    const reply = await emitWithAck(client, 'chat:send', payload);
    if (isErrorReply(reply)) break;
    passed++;
  }
  return passed;
}

describe('messageRateLimitGuard: costPerKiB', () => {
  it('lets large packets exhaust the limit sooner than small ones', async () => {
    const clock = manualClock();
    const { server } = await guardedServer({
      core: { now: clock.now },
      packetGuards: [
        measure,
        messageRateLimitGuard({
          perSocket: { points: 20, durationMs: 60_000 },
          costPerKiB: 1,
        }),
      ],
    });
    const small = await connectClient(server.url);
    const large = await connectClient(server.url);
    // Under 1 KiB a packet costs its base cost, as without costPerKiB: 20 pass.
    expect(await passes(small, 'x'.repeat(900), 25)).toBe(20);
    // 8 whole KiB: 1 + 8 = 9 points each, so 2 pass and the third goes over 20.
    expect(await passes(large, 'x'.repeat(8300), 5)).toBe(2);
    const refused = await emitWithAck(large, 'chat:send', 'x');
    expect(refused).toMatchObject({ error: { code: 'RATE_LIMITED', info: { limit: 'socket' } } });
  });

  it('caps a packet at the points of the smallest window, so the largest still passes once per window', async () => {
    const clock = manualClock();
    const { server } = await guardedServer({
      core: { now: clock.now },
      packetGuards: [
        measure,
        messageRateLimitGuard({
          perSocket: [
            { points: 20, durationMs: 1000 },
            { points: 100, durationMs: 60_000 },
          ],
          costPerKiB: 4,
        }),
      ],
    });
    const client = await connectClient(server.url);
    // 40 KiB would cost 161; capped at 20 it takes a whole one-second window.
    const huge = 'x'.repeat(40 * 1024);
    expect(await passes(client, huge, 3)).toBe(1);
    clock.advance(1000);
    expect(await passes(client, huge, 3)).toBe(1);
  });

  it('charges the base cost without a measured size, warning once that size-limit is missing', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      const { server } = await guardedServer({
        packetGuards: [
          messageRateLimitGuard({ perSocket: { points: 5, durationMs: 60_000 }, costPerKiB: 1 }),
        ],
      });
      const client = await connectClient(server.url);
      expect(await passes(client, 'x'.repeat(8300), 8)).toBe(5);
      const warnings = emitWarning.mock.calls.filter(
        ([, options]) => (options as { code?: string }).code === 'PORTCULLIS_RATE_LIMIT_UNMEASURED',
      );
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]?.[0])).toContain('@portcullis/size-limit');
    } finally {
      emitWarning.mockRestore();
    }
  });
});
