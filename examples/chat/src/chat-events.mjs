import { randomUUID } from 'node:crypto';
import { getContext, isGuardError } from 'portcullis';
import { isPrivateRoom, roomKey, roomName, userChannel } from './rooms.mjs';

const reply = (ack, value) => {
  if (typeof ack === 'function') ack(value);
};

const refusal = (code, message) => ({ error: { code, message, retryable: false } });

/** A guard's refusal as the ack carries it; anything else is our own failure. */
const refusalOf = (error) =>
  isGuardError(error)
    ? { error: error.data }
    : refusal('INTERNAL', 'Something went wrong on our side; try again.');

/**
 * The chat itself. By the time a handler runs, the preset has checked the packet's
 * size, rate, sender's role, shape (joi), content rules and replays, and sanitized its
 * text: the handlers only do the chat's own work. Who may open which room is the rooms
 * guard's decision (`rooms.joinRoom`). Identity comes from the verified token, through
 * the context.
 */
export function installChatEvents(io, { nodeName, rooms, inviteToRoom }) {
  io.on('connection', (socket) => {
    const userId = () => getContext(socket).user?.id ?? 'anonymous';
    const announce = (room, type) =>
      io.to(roomKey(room)).emit('room:event', { room, type, user: userId(), at: Date.now() });

    void socket.join(userChannel(userId()));
    socket.emit('chat:welcome', { node: nodeName, user: userId() });

    // A tab that logs out, is logged out (on any node), expires or is closed leaves its
    // rooms: the others read "alice left". A dropped network reconnects, so says nothing.
    socket.on('disconnecting', (reason) => {
      if (reason !== 'server namespace disconnect' && reason !== 'client namespace disconnect') {
        return;
      }
      for (const key of socket.rooms) {
        if (key.startsWith('room:') || key.startsWith('private:')) {
          socket.to(key).emit('room:event', {
            room: roomName(key),
            type: 'left',
            user: userId(),
            at: Date.now(),
          });
        }
      }
    });

    socket.on('room:join', async ({ room, invite }, ack) => {
      let grant;
      try {
        grant = await rooms.joinRoom(socket, roomKey(room), invite);
      } catch (error) {
        reply(ack, refusalOf(error));
        return;
      }
      announce(room, 'joined');
      reply(ack, {
        ok: true,
        room,
        private: isPrivateRoom(room),
        ...(grant.expiresAt === null ? {} : { expiresAt: grant.expiresAt }),
      });
    });

    socket.on('room:leave', ({ room }, ack) => {
      if (socket.rooms.has(roomKey(room))) {
        rooms.leaveRoom(socket, roomKey(room));
        announce(room, 'left');
      }
      reply(ack, { ok: true, room });
    });

    socket.on('room:invite', async ({ room, user }, ack) => {
      if (!isPrivateRoom(room)) {
        reply(ack, refusal('VALIDATION_FAILED', `#${room} is open to everyone already.`));
        return;
      }
      const { token, expiresAt } = await inviteToRoom(user, roomKey(room));
      // To every tab of the invited user, on every node (through the adapter).
      io.to(userChannel(user)).emit('room:invited', {
        room,
        from: userId(),
        invite: token,
        expiresAt,
      });
      reply(ack, { ok: true, room, user });
    });

    socket.on('chat:send', ({ room, text }, ack) => {
      // The room's Socket.io membership is the guard's record: joined through it, and
      // still held (an ended invitation takes the socket out).
      if (!socket.rooms.has(roomKey(room))) {
        reply(ack, refusal('FORBIDDEN', 'Join the room before writing in it.'));
        return;
      }
      const message = {
        id: randomUUID(),
        room,
        from: userId(),
        text,
        at: Date.now(),
        node: nodeName,
      };
      io.to(roomKey(room)).emit('chat:message', message);
      // The text as posted (sanitized): the page tells its user when markup was dropped.
      reply(ack, { ok: true, id: message.id, text });
    });

    socket.on('admin:broadcast', ({ text }, ack) => {
      const announcement = { id: randomUUID(), from: userId(), text, at: Date.now() };
      io.emit('chat:announcement', announcement);
      reply(ack, { ok: true, id: announcement.id });
    });
  });
}
