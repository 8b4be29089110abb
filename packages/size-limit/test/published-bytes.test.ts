import { packetBytesOf, usePacketGuards, type PacketGuard } from '@portcullis/core';
import { connectClient, emitWithAck } from '@portcullis/testing';
import type { Server } from 'socket.io';
import type { SizeLimitGuardOptions } from '../src';
import { RawClient, guardedServer } from './helpers';

/**
 * A server with size-limit and, in front of it, a packet guard that records what core's
 * `packetBytesOf` says for each packet: the size is published when the frames are
 * decoded, so a guard reading it need not run after size-limit.
 */
async function recordingServer(options: SizeLimitGuardOptions = {}) {
  const seen: (number | undefined)[] = [];
  const recorder: PacketGuard = {
    guardName: 'recorder',
    check(_socket, packet) {
      seen.push(packetBytesOf(packet));
    },
  };
  const guarded = await guardedServer(options, undefined, (io: Server) =>
    usePacketGuards(io, recorder),
  );
  return { ...guarded, seen };
}

describe('size-limit: the measured size, published for other guards', () => {
  it('publishes the bytes of the raw frames: exact for ASCII and binary, never above the truth', async () => {
    const { server, seen } = await recordingServer({ events: { 'file:upload': { binary: true } } });
    const raw = await RawClient.connect(server.url);
    const ascii = JSON.stringify('a'.repeat(5000));
    expect(await raw.emitWithAck(1, 'e', ascii)).toEqual({ ok: true, args: 1 });
    const accents = JSON.stringify('é'.repeat(3000));
    expect(await raw.emitWithAck(2, 'e', accents)).toEqual({ ok: true, args: 1 });

    const asciiFrame = `421["e",${ascii}]`;
    const accentsFrame = `422["e",${accents}]`;
    expect(seen[0]).toBe(Buffer.byteLength(asciiFrame));
    // Far under every limit, so size-limit skips the UTF-8 count: one byte per UTF-16
    // unit, a lower bound of the 2-byte characters.
    expect(seen[1]).toBe(accentsFrame.length);
    expect(seen[1]).toBeLessThan(Buffer.byteLength(accentsFrame));

    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'file:upload', Buffer.alloc(4096))).toEqual({
      ok: true,
      args: 1,
    });
    // The text header plus the 4096-byte attachment frame.
    expect(seen[2]).toBeGreaterThan(4096);
    expect(seen[2]).toBeLessThan(4096 + 100);
  });

  it('publishes the exact UTF-8 count where it could matter to a limit', async () => {
    // The smallest limit is 1000 bytes: 2000 two-byte characters may be over it, so
    // they are counted exactly, and the event's larger limit lets them through.
    const { server, seen } = await recordingServer({
      maxBytes: 1000,
      events: { nested: { maxBytes: 100_000 } },
    });
    const raw = await RawClient.connect(server.url);
    const accents = JSON.stringify('é'.repeat(2000));
    expect(await raw.emitWithAck(1, 'nested', accents)).toEqual({ ok: true, args: 1 });
    expect(seen).toEqual([Buffer.byteLength(`421["nested",${accents}]`)]);
  });
});
