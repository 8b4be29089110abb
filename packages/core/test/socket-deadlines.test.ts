import { connectClient, delay, startServer } from '@portcullis/testing';
import {
  DeadlineLane,
  configurePortcullis,
  onSocketRelease,
  type AnySocket,
  type DeadlineLaneSpec,
} from '../src';

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await delay(25);
  expect(condition()).toBe(true);
}

/** A lane whose deadline per socket is a number the test sets, recording when it is called. */
function testLane(name: string, calls: string[], resolutionMs = 10) {
  const dueAt = new Map<string, number>();
  const spec: DeadlineLaneSpec = {
    nextAt: (socket) => dueAt.get(socket.id) ?? Infinity,
    onDue(socket, now) {
      const at = dueAt.get(socket.id) ?? Infinity;
      if (now < at) return;
      calls.push(`${name}:${socket.id}`);
      dueAt.delete(socket.id);
    },
    resolutionMs,
  };
  return { lane: new DeadlineLane(spec), dueAt };
}

/** A test clock, moved by hand. */
interface Clock {
  at: number;
}

/** Connects one client to a server on `clock`; `watch` takes its socket on. */
async function oneWatchedSocket(
  clock: Clock,
  watch: (socket: AnySocket, now: number) => void,
): Promise<AnySocket> {
  let socket: AnySocket | undefined;
  const server = await startServer({
    setup(io) {
      configurePortcullis(io, { now: () => clock.at });
      io.on('connection', (connected) => {
        socket = connected;
        watch(connected, clock.at);
      });
    },
  });
  await connectClient(server.url);
  await until(() => socket !== undefined);
  return socket as AnySocket;
}

describe('DeadlineLane (one deadline entry per socket for every guard)', () => {
  it('calls each guard at its own deadline, and only for the sockets it watches', async () => {
    let clock = 1_000_000;
    const calls: string[] = [];
    const idle = testLane('idle', calls);
    const expiry = testLane('expiry', calls);
    const sockets: AnySocket[] = [];
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { now: () => clock });
        io.on('connection', (socket) => {
          sockets.push(socket);
          idle.dueAt.set(socket.id, clock + 100);
          idle.lane.watch(socket);
          // Both would be due for expiry, but only the first socket is watched for it.
          expiry.dueAt.set(socket.id, clock + 50);
          if (sockets.length === 1) expiry.lane.watch(socket);
        });
        onSocketRelease(io, (socket) => {
          idle.lane.unwatch(socket);
          expiry.lane.unwatch(socket);
        });
      },
    });
    await connectClient(server.url);
    await connectClient(server.url);
    await until(() => sockets.length === 2);
    const [first, second] = sockets as [AnySocket, AnySocket];
    expect(idle.lane.watchedSockets).toBe(2);
    expect(expiry.lane.watchedSockets).toBe(1);
    // One heap for the server: both guards see the same single timer.
    expect(idle.lane.timerCount).toBe(1);
    expect(expiry.lane.timerCount).toBe(1);

    clock += 60;
    idle.lane.sweep();
    expect(calls).toEqual([`expiry:${first.id}`]);

    clock += 60;
    expiry.lane.sweep();
    expect(calls.slice(1).sort()).toEqual([`idle:${first.id}`, `idle:${second.id}`].sort());
    // Nothing is due any more: the heap is empty and holds no timer.
    expect(idle.lane.timerCount).toBe(0);
  });

  it('keeps a socket on the heap for the other guards after one lets go of it', async () => {
    const clock: Clock = { at: 2_000_000 };
    const calls: string[] = [];
    const idle = testLane('idle', calls);
    const expiry = testLane('expiry', calls);
    const watched = await oneWatchedSocket(clock, (socket, now) => {
      idle.dueAt.set(socket.id, now + 100);
      expiry.dueAt.set(socket.id, now + 50);
      idle.lane.watch(socket);
      expiry.lane.watch(socket);
    });
    expiry.lane.unwatch(watched);
    expect(expiry.lane.watchedSockets).toBe(0);
    clock.at += 60;
    idle.lane.sweep();
    expect(calls).toEqual([]);
    clock.at += 60;
    idle.lane.sweep();
    expect(calls).toEqual([`idle:${watched.id}`]);
    idle.lane.unwatch(watched);
    expect(idle.lane.watchedSockets).toBe(0);
    expect(idle.lane.timerCount).toBe(0);
  });

  it('moves the entry earlier when a guard reschedules a socket', async () => {
    const clock: Clock = { at: 3_000_000 };
    const calls: string[] = [];
    const expiry = testLane('expiry', calls);
    const watched = await oneWatchedSocket(clock, (socket, now) => {
      expiry.dueAt.set(socket.id, now + 10_000);
      expiry.lane.watch(socket);
    });
    expiry.dueAt.set(watched.id, clock.at + 20);
    expiry.lane.reschedule(watched);
    clock.at += 30;
    expiry.lane.sweep();
    expect(calls).toEqual([`expiry:${watched.id}`]);
  });

  it('serves more guards than one heap has bits for', async () => {
    const clock: Clock = { at: 4_000_000 };
    const calls: string[] = [];
    const lanes = Array.from({ length: 33 }, (_, index) => testLane(`lane${index}`, calls));
    await oneWatchedSocket(clock, (socket, now) => {
      lanes.forEach(({ lane, dueAt }, index) => {
        dueAt.set(socket.id, now + 10 * (index + 1));
        lane.watch(socket);
      });
    });
    clock.at += 10 * 34;
    for (const { lane } of lanes) lane.sweep();
    expect(calls).toHaveLength(33);
    expect(new Set(calls).size).toBe(33);
  });
});
