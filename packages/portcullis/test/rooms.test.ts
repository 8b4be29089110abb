import { SignJWT } from 'jose';
import { connectClient, emitWithAck, waitFor } from '@portcullis/testing';
import type { Server } from 'socket.io';
import { getContext, type PortcullisUser } from '@portcullis/core';
import { ORIGIN, SECRET, presetServer, token } from './helpers';

const key = new TextEncoder().encode(SECRET);

/** A room token signed with the handshake's key: `room_grants` for exact rooms. */
async function roomToken(sub: string, grants: Record<string, string[]>, ttlSeconds = 60) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ room_grants: grants })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key);
}

function chat(io: Server): void {
  io.on('connection', (socket) => {
    socket.on('chat:send', (message: { roomId: string }, ack?: (reply: unknown) => void) => {
      socket.to(message.roomId).emit('chat:message', message);
      ack?.({ ok: true });
    });
  });
}

describe('the preset with rooms', () => {
  it('checks room tokens with the handshake keys and publish rights on every namespace', async () => {
    const { server, guards } = await presetServer(
      {
        rooms: {
          rules: { 'lobby:*': () => true },
          roomTokens: true,
          publish: { 'chat:send': 'roomId' },
          events: true,
        },
      },
      (io) => {
        chat(io);
        chat(io.of('/team') as unknown as Server);
      },
    );
    const options = async (sub: string, namespace = '/') => ({
      auth: { token: await token(sub) },
      extraHeaders: { origin: ORIGIN },
      namespace,
    });
    const alice = await connectClient(server.url, await options('alice'));
    const bob = await connectClient(server.url, await options('bob'));
    expect(
      await emitWithAck(
        alice,
        'room:join',
        'doc:7',
        await roomToken('alice', { 'doc:7': ['join', 'publish'] }),
      ),
    ).toMatchObject({ ok: true, publish: true });
    // Bob's token for doc:7 was minted for alice: refused.
    expect(
      await emitWithAck(bob, 'room:join', 'doc:7', await roomToken('alice', { 'doc:7': ['join'] })),
    ).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await emitWithAck(bob, 'chat:send', { roomId: 'doc:7', text: 'x' })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    const onTeam = await connectClient(server.url, await options('carol', '/team'));
    expect(await emitWithAck(onTeam, 'chat:send', { roomId: 'lobby:1', text: 'x' })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    expect(await emitWithAck(onTeam, 'room:join', 'lobby:1')).toMatchObject({ ok: true });
    const heard = waitFor(onTeam, 'chat:message');
    const other = await connectClient(server.url, await options('dan', '/team'));
    await emitWithAck(other, 'room:join', 'lobby:1');
    expect(await emitWithAck(other, 'chat:send', { roomId: 'lobby:1', text: 'hi' })).toEqual({
      ok: true,
    });
    expect((await heard)[0]).toMatchObject({ text: 'hi' });
    expect(guards.rooms).toBeDefined();
    expect(guards.order.packet).toContain('rooms');
  });

  it('keeps in user.claims the capability claim rooms reads, and no other claim', async () => {
    const users: PortcullisUser[] = [];
    const { server } = await presetServer({ rooms: { events: true } }, (io) => {
      io.on('connection', (socket) => {
        const user = getContext(socket).user;
        if (user !== undefined) users.push(user);
      });
    });
    const now = Math.floor(Date.now() / 1000);
    const handshakeToken = await new SignJWT({
      rooms: { 'doc:*': ['join'] },
      email: 'erin@example.com',
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('erin')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    const erin = await connectClient(server.url, {
      auth: { token: handshakeToken },
      extraHeaders: { origin: ORIGIN },
    });
    expect(users[0]?.claims).toEqual({ rooms: { 'doc:*': ['join'] } });
    expect(await emitWithAck(erin, 'room:join', 'doc:3')).toMatchObject({ ok: true });
  });
});
