import { connectClient, emitWithAck, type ClientSocket } from '@portcullis/testing';
import { messageRateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer, testAuth } from './helpers';

/**
 * Writes `2[1,{…}]` on the client's connection: an event whose name is the number 1.
 * socket.io-client never sends one, the wire allows it, and Socket.io runs the
 * listener registered as '1'.
 */
function emitNumberNamed(client: ClientSocket, times: number): void {
  for (let index = 0; index < times; index++) client.io.engine.write(`2[1,{"n":${index}}]`);
}

/** Codes and limits of the refusals the client heard, once everything sent before has been handled. */
async function refusalsAfter(client: ClientSocket, refusals: unknown[]): Promise<unknown[]> {
  // Packets of one socket are handled in order: once this ack is back, so are the rest.
  await emitWithAck(client, 'chat:send');
  return refusals;
}

function listenForRefusals(client: ClientSocket): unknown[] {
  const refusals: unknown[] = [];
  client.on('portcullis:error', (payload: unknown) => refusals.push(payload));
  return refusals;
}

describe('messageRateLimitGuard: event names sent as numbers', () => {
  it("applies the perEvent limit of '1' to the event 1, anonymous and signed in", async () => {
    const { server, handled } = await guardedServer({
      handshake: [testAuth],
      packetGuards: [
        messageRateLimitGuard({ perEvent: { '1': { points: 1, durationMs: 60_000 } } }),
      ],
    });
    const anonymous = await connectClient(server.url);
    const refusals = listenForRefusals(anonymous);
    emitNumberNamed(anonymous, 5);
    const heard = await refusalsAfter(anonymous, refusals);
    expect(handled.get('1')).toBe(1);
    expect(heard).toHaveLength(4);
    expect(heard[0]).toMatchObject({ code: 'RATE_LIMITED', info: { limit: 'event' } });

    const user = await connectClient(server.url, { auth: { userId: 'ada' } });
    const userRefusals = listenForRefusals(user);
    emitNumberNamed(user, 3);
    expect(await refusalsAfter(user, userRefusals)).toHaveLength(2);
    expect(handled.get('1')).toBe(2);
    // The string name and the number share one budget.
    expect(await emitWithAck(user, '1')).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it("charges the event 1 the cost of '1'", async () => {
    const { server, handled } = await guardedServer({
      packetGuards: [
        messageRateLimitGuard({
          perSocket: { points: 20, durationMs: 60_000 },
          costs: { '1': 10, 'chat:send': 0 },
        }),
      ],
    });
    const client = await connectClient(server.url);
    const refusals = listenForRefusals(client);
    emitNumberNamed(client, 3);
    const heard = await refusalsAfter(client, refusals);
    expect(handled.get('1')).toBe(2);
    expect(heard).toEqual([
      expect.objectContaining({ code: 'RATE_LIMITED', info: { limit: 'socket' } }),
    ]);
  });
});
