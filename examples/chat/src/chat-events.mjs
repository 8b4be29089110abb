import { randomUUID } from 'node:crypto';
import { getContext } from 'portcullis';

/** How many rooms one tab may be in at once. */
export const MAX_ROOMS_PER_SOCKET = 10;

// Socket.io rooms of the chat are prefixed, so a room name can never be a socket id or
// a room another part of the app relies on.
const roomKey = (room) => `room:${room}`;

const reply = (ack, value) => {
  if (typeof ack === 'function') ack(value);
};

const refusal = (code, message) => ({ error: { code, message, retryable: false } });

/**
 * The chat itself. By the time a handler runs, the preset has checked the packet's
 * size, rate, sender's role, shape (joi) and sanitized its text: the handlers only do
 * the chat's own work. Identity comes from the verified token, through the context.
 */
export function installChatEvents(io, { nodeName }) {
  io.on('connection', (socket) => {
    const joined = new Set();
    const userId = () => getContext(socket).user?.id ?? 'anonymous';

    socket.emit('chat:welcome', { node: nodeName, user: userId() });

    socket.on('room:join', ({ room }, ack) => {
      if (!joined.has(room) && joined.size >= MAX_ROOMS_PER_SOCKET) {
        reply(
          ack,
          refusal('FORBIDDEN', `You can be in ${MAX_ROOMS_PER_SOCKET} rooms at most: leave one.`),
        );
        return;
      }
      joined.add(room);
      socket.join(roomKey(room));
      io.to(roomKey(room)).emit('room:event', {
        room,
        type: 'joined',
        user: userId(),
        at: Date.now(),
      });
      reply(ack, { ok: true, room });
    });

    socket.on('room:leave', ({ room }, ack) => {
      if (joined.delete(room)) {
        socket.leave(roomKey(room));
        io.to(roomKey(room)).emit('room:event', {
          room,
          type: 'left',
          user: userId(),
          at: Date.now(),
        });
      }
      reply(ack, { ok: true, room });
    });

    socket.on('chat:send', ({ room, text }, ack) => {
      if (!joined.has(room)) {
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
      reply(ack, { ok: true, id: message.id });
    });

    socket.on('admin:broadcast', ({ text }, ack) => {
      const announcement = { id: randomUUID(), from: userId(), text, at: Date.now() };
      io.emit('chat:announcement', announcement);
      reply(ack, { ok: true, id: announcement.id });
    });
  });
}
