// A Socket.io server as blog posts write them: CORS `*` with credentials, compression on,
// no origin or token check, no schema, no sanitizing, the 1 MB default buffer, a
// moderators' /admin namespace, and a logout route that leaves the sockets open. The
// probe's README shows its report:
//
//   node packages/probe/scripts/unguarded-server.mjs
//   node packages/probe/dist/cli.js <printed url> --hs256-secret any-key-that-is-32-bytes-long-ok! \
//     --event chat:send --payload '{"roomId":"general","text":"hi"}' --logout-url /logout \
//     --sanitized-event profile:update --sanitized-payload '{"bio":"hello"}' --sanitized-fields bio
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, {
  perMessageDeflate: true,
  cors: { origin: '*', credentials: true },
});
for (const namespace of ['/', '/admin']) {
  io.of(namespace).on('connection', (socket) => {
    socket.on('chat:send', (_message, ack) => ack?.({ ok: true }));
    socket.on('profile:update', (profile, ack) => ack?.({ ok: true, profile }));
  });
}
httpServer.on('request', (req, res) => {
  if (req.url?.startsWith('/socket.io/')) return;
  res.writeHead(req.method === 'POST' && req.url === '/logout' ? 204 : 404).end();
});
httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${httpServer.address().port}`);
});
