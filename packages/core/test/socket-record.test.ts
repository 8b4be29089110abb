import { connectClient, startServer } from '@portcullis/testing';
import { DeadlineLane, socketSlot, type AnySocket } from '../src';
import { peekSocketRecord } from '../src/socket-record';

// The first two claims of this file (one process per test file) get the record's fields;
// the third a table of its own.
const inRecord = socketSlot<{ n: number }>();
const alsoInRecord = socketSlot<{ n: number }>();
const inTable = socketSlot<{ n: number }>();

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

/** A lane whose deadline is always a minute away: it only holds its sockets' entries. */
function distantLane(): DeadlineLane {
  return new DeadlineLane({
    nextAt: () => Date.now() + 60_000,
    onDue: () => undefined,
    resolutionMs: 1_000,
  });
}

describe("core's one record per socket", () => {
  it('keeps the first two claimed slots in the record and later ones in tables, alike', async () => {
    const [first, second] = await twoSockets();
    const slots = [inRecord, alsoInRecord, inTable];
    const values = [{ n: 0 }, { n: 1 }, { n: 2 }];
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
    alsoInRecord.delete(first);
    inTable.delete(first);
    expect(slots.map((slot) => slot.get(first))).toEqual([values[0], undefined, undefined]);
    expect(record?.slot1).toBeUndefined();
    expect(peekSocketRecord(first)).toBe(record);
    // Empty, it goes: records of sockets gone by must not pile up in the table.
    inRecord.delete(first);
    expect(peekSocketRecord(first)).toBeUndefined();
  });

  it("is the socket's deadline entry too, kept while a slot holds a value", async () => {
    const [socket] = await twoSockets();
    const lane = distantLane();
    lane.watch(socket);
    const record = peekSocketRecord(socket);
    expect(record).toMatchObject({ lanes: 1 });
    expect(record?.heapIndex).toBeGreaterThanOrEqual(0);
    inRecord.set(socket, { n: 7 });
    expect(peekSocketRecord(socket)).toBe(record);

    // The lane lets go: off the heap, no timer, and the record stays for its slot.
    lane.unwatch(socket);
    expect(record).toMatchObject({ lanes: 0, heapIndex: -1 });
    expect(lane.timerCount).toBe(0);
    expect(peekSocketRecord(socket)).toBe(record);
    expect(inRecord.get(socket)).toEqual({ n: 7 });
    inRecord.delete(socket);
    expect(peekSocketRecord(socket)).toBeUndefined();
  });

  it('drops a record its last lane lets go when no slot holds anything', async () => {
    const [socket] = await twoSockets();
    const lane = distantLane();
    lane.watch(socket);
    // A value in a table slot is not in the record: it keeps nothing there.
    inTable.set(socket, { n: 1 });
    expect(peekSocketRecord(socket)).toMatchObject({ lanes: 1 });
    lane.unwatch(socket);
    expect(peekSocketRecord(socket)).toBeUndefined();
    expect(inTable.get(socket)).toEqual({ n: 1 });
  });
});
