import { connectClient, startServer } from '@portcullis/testing';
import { DeadlineLane, socketSlot, type AnySocket } from '../src';
import { peekSocketRecord } from '../src/socket-record';

/** Two connected sockets of one server. */
async function twoSockets(): Promise<[AnySocket, AnySocket]> {
  const sockets: AnySocket[] = [];
  const server = await startServer({
    setup(io) {
      io.on('connection', (socket) => sockets.push(socket));
    },
  });
  await connectClient(server.url);
  await connectClient(server.url);
  return sockets as [AnySocket, AnySocket];
}

describe("core's one record per socket", () => {
  it('keeps the first two claimed slots in the record and later ones in tables, alike', async () => {
    const [first, second] = await twoSockets();
    const slots = [
      socketSlot<{ n: number }>(),
      socketSlot<{ n: number }>(),
      socketSlot<{ n: number }>(),
    ];
    const values = slots.map((_, index) => ({ n: index }));
    slots.forEach((slot, index) => slot.set(first, values[index] as { n: number }));

    // Each slot answers its own value, for its own socket only.
    expect(slots.map((slot) => slot.get(first))).toEqual(values);
    expect(slots.map((slot) => slot.get(second))).toEqual([undefined, undefined, undefined]);
    // The first two are fields of the socket's record: no table entry of their own.
    const record = peekSocketRecord(first);
    expect(record?.slot0).toBe(values[0]);
    expect(record?.slot1).toBe(values[1]);
    expect(peekSocketRecord(second)).toBeUndefined();

    // Clearing one slot leaves the others, and the record while it holds anything.
    slots[1]?.delete(first);
    slots[2]?.delete(first);
    expect(slots.map((slot) => slot.get(first))).toEqual([values[0], undefined, undefined]);
    expect(record?.slot1).toBeUndefined();
    expect(peekSocketRecord(first)).toBe(record);
    // Empty, it goes: records of sockets gone by must not pile up in the table.
    slots[0]?.delete(first);
    expect(peekSocketRecord(first)).toBeUndefined();
  });

  it('is also the socket’s deadline entry: a lane and a slot share one record', async () => {
    const [socket] = await twoSockets();
    const lane = new DeadlineLane({
      nextAt: () => Date.now() + 60_000,
      onDue: () => undefined,
      resolutionMs: 1_000,
    });
    lane.watch(socket);
    const record = peekSocketRecord(socket);
    expect(record).toMatchObject({ lanes: 1 });
    expect(record?.heapIndex).toBeGreaterThanOrEqual(0);
    // A third claim in this file: a table of its own, beside the record.
    const laterSlot = socketSlot<string>();
    laterSlot.set(socket, 'kept');
    expect(laterSlot.get(socket)).toBe('kept');
    expect(peekSocketRecord(socket)).toBe(record);
    // The lane lets go: off the heap, no timer, and the record stays for what it holds.
    lane.unwatch(socket);
    expect(record).toMatchObject({ lanes: 0, heapIndex: -1 });
    expect(lane.timerCount).toBe(0);
    expect(laterSlot.get(socket)).toBe('kept');
    laterSlot.delete(socket);
    expect(laterSlot.get(socket)).toBeUndefined();
  });

  it('drops a record its last lane lets go when no slot holds anything', async () => {
    const [socket] = await twoSockets();
    const lane = new DeadlineLane({
      nextAt: () => Date.now() + 60_000,
      onDue: () => undefined,
      resolutionMs: 1_000,
    });
    lane.watch(socket);
    expect(peekSocketRecord(socket)).toMatchObject({ lanes: 1 });
    lane.unwatch(socket);
    expect(peekSocketRecord(socket)).toBeUndefined();
  });
});
