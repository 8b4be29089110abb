import type { Server } from 'socket.io';
import { configurePortcullis } from '@portcullis/core';
import { connectClient, startServer, waitFor, type ClientSocket } from '@portcullis/testing';
import { authGuard, recheckRecoveredSockets } from '../src';
import { SECRET, nowSeconds, sign } from './helpers';

interface Options {
  skipMiddlewares: boolean;
  clock: { now: number };
  optional?: boolean;
}

async function serve({ skipMiddlewares, clock, optional = false }: Options) {
  const recovered: boolean[] = [];
  let verifications = 0;
  const server = await startServer<Server>({
    serverOptions: {
      connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares },
    },
    setup(io) {
      configurePortcullis(io, { now: () => clock.now });
      recheckRecoveredSockets(io);
      io.use(
        authGuard({
          algorithms: ['HS256'],
          secret: SECRET,
          optional,
          validate: () => {
            verifications++;
            return true;
          },
        }),
      );
      io.on('connection', (socket) => recovered.push(socket.recovered));
    },
  });
  return { server, recovered, verifications: () => verifications };
}

/** Connects, receives one broadcast (recovery needs an offset), then loses the transport. */
async function connectAndDrop(
  server: { io: Server; url: string },
  token: string,
  whileConnected: () => void = () => undefined,
): Promise<ClientSocket> {
  const client = await connectClient(server.url, {
    auth: { token },
    reconnection: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
  });
  const tick = waitFor(client, 'tick');
  server.io.emit('tick');
  await tick;
  whileConnected();
  client.io.engine.close();
  return client;
}

describe('connection state recovery', () => {
  it('skips io.use for a recovered socket; the recheck disconnects one whose token expired', async () => {
    const clock = { now: Date.now() };
    const { server, recovered, verifications } = await serve({ skipMiddlewares: true, clock });
    const token = await sign({ exp: nowSeconds() + 60 });

    const fresh = await connectAndDrop(server, token);
    await waitFor(fresh, 'connect');
    expect(recovered).toEqual([false, true]);
    expect(verifications()).toBe(1); // Socket.io did not run authGuard again

    // The token expires while the next client is away (on core's clock).
    const stale = await connectAndDrop(server, token, () => (clock.now += 120_000));
    const [payload] = await waitFor(stale, 'portcullis:disconnect');
    expect(payload).toMatchObject({ code: 'AUTH_EXPIRED', retryable: true });
    expect(recovered).toEqual([false, true, false, true]);
  });

  it('with skipMiddlewares: false, re-verifies the token and refuses another user', async () => {
    const clock = { now: Date.now() };
    const { server, recovered, verifications } = await serve({ skipMiddlewares: false, clock });
    const same = await connectAndDrop(server, await sign({ sub: 'alice' }));
    await waitFor(same, 'connect');
    expect(recovered).toEqual([false, true]);
    expect(verifications()).toBe(2);

    const swapped = await connectClient(server.url, {
      auth: { token: await sign({ sub: 'alice' }) },
      reconnection: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    });
    const tick = waitFor(swapped, 'tick');
    server.io.emit('tick');
    await tick;
    swapped.auth = { token: await sign({ sub: 'bob' }) };
    const refused = waitFor(swapped, 'connect_error');
    swapped.io.engine.close();
    const [error] = (await refused) as [{ data?: { code?: string } }];
    expect(error.data?.code).toBe('AUTH_INVALID');
    expect(recovered).toEqual([false, true, false]);
  });

  it('does not let a recovered authenticated session come back anonymous (optional: true)', async () => {
    const clock = { now: Date.now() };
    const { server, recovered } = await serve({ skipMiddlewares: false, clock, optional: true });
    const anonymous = await connectClient(server.url);
    expect(anonymous.connected).toBe(true);
    const client = await connectClient(server.url, {
      auth: { token: await sign({ sub: 'alice' }) },
      reconnection: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    });
    const tick = waitFor(client, 'tick');
    server.io.emit('tick');
    await tick;
    client.auth = {};
    const refused = waitFor(client, 'connect_error');
    client.io.engine.close();
    const [error] = (await refused) as [{ data?: { code?: string } }];
    expect(error.data?.code).toBe('AUTH_REQUIRED');
    expect(recovered).toEqual([false, false]);
  });
});
