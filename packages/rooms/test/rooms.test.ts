import { SecurityEventBus, type SecurityEvent } from '@portcullis/core';
import {
  connectClient,
  delay,
  emitWithAck,
  expectSilence,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import { roomsGuard } from '../src';
import { roomsServer, sign } from './helpers';

async function as(
  url: string,
  claims: Record<string, unknown> & { sub: string },
): Promise<ClientSocket> {
  return connectClient(url, { auth: { token: await sign(claims) } });
}

const codeOf = (reply: unknown): string | undefined =>
  (reply as { error?: { code?: string } }).error?.code;

describe('joining rooms through the guard', () => {
  it('lets a member join, read and publish; a non-member cannot publish by naming the room', async () => {
    const server = await roomsServer({ rules: { 'lobby:*': () => true } });
    const alice = await as(server.url, { sub: 'alice' });
    const bob = await as(server.url, { sub: 'bob' });
    const mallory = await as(server.url, { sub: 'mallory' });
    expect(await emitWithAck(alice, 'room:join', 'lobby:1')).toEqual({
      ok: true,
      room: 'lobby:1',
      publish: true,
      expiresAt: null,
    });
    expect(await emitWithAck(bob, 'room:join', 'lobby:1')).toMatchObject({ ok: true });
    const heard = waitFor(bob, 'chat:message');
    expect(await emitWithAck(alice, 'chat:send', { roomId: 'lobby:1', text: 'hi' })).toEqual({
      ok: true,
    });
    expect((await heard)[0]).toEqual({ roomId: 'lobby:1', text: 'hi' });

    // Mallory never joined: naming the room is not enough, and nothing reaches the room.
    const quiet = expectSilence(bob, 'chat:message', 300);
    const refused = await emitWithAck(mallory, 'chat:send', { roomId: 'lobby:1', text: 'spam' });
    expect(refused).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(codeOf(await emitWithAck(mallory, 'chat:send', { text: 'no room' }))).toBe('FORBIDDEN');
    await quiet;
    expect(server.handled).toEqual([{ roomId: 'lobby:1', text: 'hi' }]);
  });

  it('follows the rule table: roles, read-only, false over any capability, first match wins', async () => {
    const server = await roomsServer({
      rules: {
        'staff:*': { roles: ['staff'] },
        'news:*': { roles: ['member'], readOnly: true },
        'vault:*': false,
      },
    });
    const staff = await as(server.url, { sub: 'sam', roles: ['staff', 'member'] });
    const member = await as(server.url, {
      sub: 'mia',
      roles: ['member'],
      rooms: { 'vault:*': ['join', 'publish'] },
    });
    expect(await emitWithAck(staff, 'room:join', 'staff:ops')).toMatchObject({ publish: true });
    expect(codeOf(await emitWithAck(member, 'room:join', 'staff:ops'))).toBe('FORBIDDEN');
    expect(await emitWithAck(member, 'room:join', 'news:today')).toMatchObject({ publish: false });
    expect(
      codeOf(await emitWithAck(member, 'chat:send', { roomId: 'news:today', text: 'x' })),
    ).toBe('FORBIDDEN');
    // The rule table closes vault:* whatever the token's capabilities say.
    expect(codeOf(await emitWithAck(member, 'room:join', 'vault:1'))).toBe('FORBIDDEN');
  });

  it('reads capabilities from the verified token: a read-only capability cannot publish', async () => {
    const server = await roomsServer();
    const reader = await as(server.url, { sub: 'rae', rooms: { 'chat:*': ['subscribe'] } });
    const writer = await as(server.url, { sub: 'wes', rooms: { 'chat:*': ['join', 'publish'] } });
    expect(await emitWithAck(reader, 'room:join', 'chat:1')).toMatchObject({ publish: false });
    expect(await emitWithAck(writer, 'room:join', 'chat:1')).toMatchObject({ publish: true });
    const heard = waitFor(reader, 'chat:message');
    expect(await emitWithAck(writer, 'chat:send', { roomId: 'chat:1', text: 'hello' })).toEqual({
      ok: true,
    });
    expect((await heard)[0]).toMatchObject({ text: 'hello' });
    expect(codeOf(await emitWithAck(reader, 'chat:send', { roomId: 'chat:1', text: 'x' }))).toBe(
      'FORBIDDEN',
    );
    // A capability for chat:* is one segment: it does not open chat:1:private.
    expect(codeOf(await emitWithAck(writer, 'room:join', 'chat:1:private'))).toBe('FORBIDDEN');
  });

  it('cannot be widened by room names: *, .., look-alikes, control characters and 10 KB names', async () => {
    const server = await roomsServer({ rules: { 'doc:*': { roles: ['member'] } } });
    const member = await as(server.url, { sub: 'max', roles: ['member'] });
    for (const name of [
      'doc:*',
      'doc:../admin',
      'doc:..',
      'doc:\uff11', // a full-width digit one
      'd\u043ec:1', // a Cyrillic o
      'doc:1\u0000',
      'doc:1 ',
      `doc:${'a'.repeat(10_000)}`,
      '',
    ]) {
      expect({
        name: name.slice(0, 20),
        code: codeOf(await emitWithAck(member, 'room:join', name)),
      }).toEqual({
        name: name.slice(0, 20),
        code: 'VALIDATION_FAILED',
      });
    }
    expect(codeOf(await emitWithAck(member, 'room:join', 'doc:1:admin'))).toBe('FORBIDDEN');
    expect(codeOf(await emitWithAck(member, 'room:join', { room: 'doc:1' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await emitWithAck(member, 'room:join', 'doc:1')).toMatchObject({ ok: true });
  });
});

describe('room tokens', () => {
  it('opens only the rooms it names, for its own user, and not once expired', async () => {
    const server = await roomsServer();
    const alice = await as(server.url, { sub: 'alice' });
    const forA = await sign({ sub: 'alice', room_grants: { 'doc:A': ['join', 'publish'] } }, 60);
    expect(codeOf(await emitWithAck(alice, 'room:join', 'doc:B', forA))).toBe('FORBIDDEN');
    const bobs = await sign({ sub: 'bob', room_grants: { 'doc:A': ['join'] } }, 60);
    expect(codeOf(await emitWithAck(alice, 'room:join', 'doc:A', bobs))).toBe('FORBIDDEN');
    const expired = await sign({ sub: 'alice', room_grants: { 'doc:A': ['join'] } }, -10);
    expect(codeOf(await emitWithAck(alice, 'room:join', 'doc:A', expired))).toBe('FORBIDDEN');
    expect(codeOf(await emitWithAck(alice, 'room:join', 'doc:A', 'not-a-jwt'))).toBe('FORBIDDEN');
    const joined = (await emitWithAck(alice, 'room:join', 'doc:A', forA)) as { expiresAt: number };
    expect(joined).toMatchObject({ ok: true, publish: true });
    expect(joined.expiresAt).toBeGreaterThan(Date.now());
  });

  it('warns before the token ends, takes the socket out at exp, and renews in band', async () => {
    const server = await roomsServer();
    const alice = await as(server.url, { sub: 'alice' });
    const short = await sign({ sub: 'alice', room_grants: { 'doc:A': ['join', 'publish'] } }, 2);
    const expiring = waitFor(alice, 'portcullis:room-expiring', 5000);
    const left = waitFor(alice, 'portcullis:room-left', 6000);
    const { expiresAt } = (await emitWithAck(alice, 'room:join', 'doc:A', short)) as {
      expiresAt: number;
    };
    expect((await expiring)[0]).toEqual({ room: 'doc:A', expiresAt });
    const [notice] = await left;
    const lateBy = Date.now() - expiresAt;
    expect(notice).toMatchObject({ room: 'doc:A', code: 'SESSION_EXPIRED' });
    expect(lateBy).toBeLessThan(1500);
    expect(codeOf(await emitWithAck(alice, 'chat:send', { roomId: 'doc:A', text: 'x' }))).toBe(
      'FORBIDDEN',
    );
    // A fresh token renews without leaving.
    const first = await sign({ sub: 'alice', room_grants: { 'doc:B': ['join'] } }, 2);
    await emitWithAck(alice, 'room:join', 'doc:B', first);
    const renewed = await sign({ sub: 'alice', room_grants: { 'doc:B': ['join'] } }, 60);
    const gone = expectSilence(alice, 'portcullis:room-left', 3000);
    expect(await emitWithAck(alice, 'room:join', 'doc:B', renewed)).toMatchObject({ ok: true });
    await gone;
    expect(server.io.of('/').adapter.rooms.get('doc:B')?.size).toBe(1);
  });
});

describe('caps', () => {
  it('limits rooms per socket, sockets per room and joins per minute', async () => {
    const server = await roomsServer({
      rules: { 'r:*': () => true },
      maxRoomsPerSocket: 2,
      maxSocketsPerRoom: 1,
      joinsPerMinute: 4,
    });
    const one = await as(server.url, { sub: 'one' });
    const two = await as(server.url, { sub: 'two' });
    await emitWithAck(one, 'room:join', 'r:1');
    await emitWithAck(one, 'room:join', 'r:2');
    expect(codeOf(await emitWithAck(one, 'room:join', 'r:3'))).toBe('CONNECTION_LIMIT');
    // Joining a room one holds again is not a new room.
    expect(await emitWithAck(one, 'room:join', 'r:1')).toMatchObject({ ok: true });
    const rate = (await emitWithAck(one, 'room:join', 'r:1')) as {
      error: { code: string; retryAfterMs: number };
    };
    expect(rate.error.code).toBe('RATE_LIMITED');
    expect(rate.error.retryAfterMs).toBeGreaterThan(0);
    expect(codeOf(await emitWithAck(two, 'room:join', 'r:1'))).toBe('CONNECTION_LIMIT');
    await emitWithAck(one, 'room:leave', 'r:1');
    expect(await emitWithAck(two, 'room:join', 'r:1')).toMatchObject({ ok: true });
  });
});

describe('security events and set-up', () => {
  it('records refused joins and publishes with the room name only where it may be logged', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      if (event.type === 'packet_refused') events.push(event);
    });
    const server = await roomsServer({ loggableRooms: ['public:*'] }, () => undefined, bus);
    const eve = await as(server.url, { sub: 'eve' });
    await emitWithAck(eve, 'room:join', 'public:lobby');
    await emitWithAck(eve, 'room:join', 'patient:alpha-1234');
    await emitWithAck(eve, 'chat:send', { roomId: 'patient:alpha-1234', text: 'x' });
    await delay(20);
    expect(events.map((event) => [event.code, event.guard, event.detail?.room])).toEqual([
      ['FORBIDDEN', 'rooms', 'public:lobby'],
      ['FORBIDDEN', 'rooms', expect.stringMatching(/^hash:[0-9a-f]{16}$/)],
      ['FORBIDDEN', 'rooms', expect.stringMatching(/^hash:[0-9a-f]{16}$/)],
    ]);
    expect(JSON.stringify(events)).not.toContain('alpha');
    expect(events[1]?.detail?.room).toBe(events[2]?.detail?.room);
  });

  it('refuses a misspelt option with its path, and patterns outside the room alphabet', async () => {
    expect(() => roomsGuard({ maxRoomPerSocket: 3 } as never)).toThrow(
      'roomsGuard: maxRoomPerSocket: unknown option, did you mean maxRoomsPerSocket?',
    );
    expect(() => roomsGuard({ rules: { 'doc/**': () => true } })).toThrow(/room pattern/);
    expect(() => roomsGuard({ maxSocketsPerRoom: Infinity })).toThrow(/maxSocketsPerRoom/);
    const server = await startServer();
    const rooms = roomsGuard().install(server.io);
    await expect(rooms.revokeRoom('u', 'bad name')).rejects.toThrow(/not a room name/);
  });
});
