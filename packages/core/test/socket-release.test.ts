import { connectClient, delay, startServer } from '@portcullis/testing';
import {
  onSocketRelease,
  releaseWhenDisconnected,
  usePacketGuards,
  type AnySocket,
  type PacketGuard,
} from '../src';

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await delay(25);
  expect(condition()).toBe(true);
}

describe('onSocketRelease', () => {
  it('gives each socket one disconnect listener, however many guards release through it', async () => {
    const released: string[] = [];
    const guards: PacketGuard[] = ['a', 'b', 'c'].map((name) => ({
      guardName: name,
      check: () => undefined,
      release: (socket: AnySocket, reason: string) => released.push(`${name}:${reason}`),
    }));
    let listeners = -1;
    const server = await startServer({
      setup(io) {
        usePacketGuards(io, ...guards);
        onSocketRelease(io, (_socket, reason) => released.push(`extra:${reason}`));
        io.on('connection', (socket) => {
          listeners = socket.listeners('disconnect').length;
        });
      },
    });
    const client = await connectClient(server.url);
    expect(listeners).toBe(1);
    client.disconnect();
    await until(() => released.length === 4);
    expect(released).toEqual([
      'a:client namespace disconnect',
      'b:client namespace disconnect',
      'c:client namespace disconnect',
      'extra:client namespace disconnect',
    ]);
  });

  it('runs every step even when one throws, and serves the next socket', async () => {
    const released: string[] = [];
    const server = await startServer({
      setup(io) {
        onSocketRelease(io, () => {
          throw new Error('a broken clean-up');
        });
        onSocketRelease(io, (socket) => released.push(socket.id));
      },
    });
    const first = await connectClient(server.url);
    first.disconnect();
    await until(() => released.length === 1);
    const second = await connectClient(server.url);
    expect(second.connected).toBe(true);
  });

  it('releaseWhenDisconnected adds the listener once, for a step registered during a connection', async () => {
    const released: string[] = [];
    let listeners = -1;
    const server = await startServer({
      setup(io) {
        io.on('connection', (socket) => {
          onSocketRelease(io, (each) => released.push(each.id));
          releaseWhenDisconnected(socket);
          releaseWhenDisconnected(socket);
          listeners = socket.listeners('disconnect').length;
        });
      },
    });
    const client = await connectClient(server.url);
    expect(listeners).toBe(1);
    client.disconnect();
    await until(() => released.length === 1);
  });
});
