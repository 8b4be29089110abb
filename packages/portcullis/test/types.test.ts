import { Server } from 'socket.io';
import { startServer } from '@portcullis/testing';
import { getContext, portcullis, type PortcullisSocketData } from 'portcullis';
import { ORIGIN, SECRET } from './helpers';

interface ClientToServer {
  'chat:send': (message: { text: string }, ack: (reply: { ok: boolean }) => void) => void;
}
interface ServerToClient {
  'chat:message': (message: { text: string; from: string }) => void;
}
interface AppData extends PortcullisSocketData {
  nickname?: string;
}

describe('types', () => {
  it("keeps the application's event maps and socket data typed", async () => {
    const server = await startServer<Server<ClientToServer, ServerToClient, object, AppData>>({
      setup(io) {
        portcullis(io, {
          origins: [ORIGIN],
          auth: { secret: SECRET, algorithms: ['HS256'] },
          startupCheck: false,
        });
        io.on('connection', (socket) => {
          socket.data.nickname = 'typed';
          // @ts-expect-error: not an event of ServerToClient
          socket.emit('chat:unknown', 1);
          socket.on('chat:send', (message, ack) => {
            const from: string = getContext(socket).user?.id ?? 'anonymous';
            socket.emit('chat:message', { text: message.text, from });
            ack({ ok: true });
          });
        });
      },
    });
    expect(server.io.of('/').sockets.size).toBe(0);
  });
});
