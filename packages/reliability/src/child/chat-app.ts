import Joi from 'joi';
import type { Server } from 'socket.io';
import { getContext, type ValidateSchemas } from 'portcullis';

type Ack = ((reply: unknown) => void) | undefined;

const roomId = Joi.string().pattern(/^[\w-]{1,64}$/);

/** Schemas of the chat app's events; anything else is refused by the preset. */
export const CHAT_SCHEMAS: ValidateSchemas = {
  'chat:join': roomId.required(),
  'chat:leave': roomId.required(),
  'chat:send': Joi.object({ roomId: roomId.required(), text: Joi.string().max(2000).required() }),
  'admin:broadcast': Joi.string().max(2000).required(),
};

export interface AppCounters {
  connections: number;
  messages: number;
}

/** The last argument, when the client asked for an ack. */
function ackOf(args: unknown[]): Ack {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as (reply: unknown) => void) : undefined;
}

/**
 * A small chat: join and leave rooms, send to a room (the others get `chat:message`),
 * and an admin broadcast. Handlers only ever see packets every guard let through.
 */
export function installChatApp(io: Server, counters: AppCounters): void {
  io.on('connection', (socket) => {
    counters.connections += 1;
    socket.on('chat:join', (room: string, ...rest: unknown[]) => {
      void socket.join(`room:${room}`);
      ackOf(rest)?.({ ok: true });
    });
    socket.on('chat:leave', (room: string, ...rest: unknown[]) => {
      void socket.leave(`room:${room}`);
      ackOf(rest)?.({ ok: true });
    });
    socket.on('chat:send', (message: { roomId: string; text: string }, ...rest: unknown[]) => {
      counters.messages += 1;
      socket
        .to(`room:${message.roomId}`)
        .emit('chat:message', { from: getContext(socket).user?.id, text: message.text });
      ackOf(rest)?.({ ok: true, text: message.text });
    });
    socket.on('admin:broadcast', (text: string, ...rest: unknown[]) => {
      io.emit('chat:announcement', { text });
      ackOf(rest)?.({ ok: true });
    });
  });
}
