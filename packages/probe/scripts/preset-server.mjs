// A server guarded by the portcullis preset, set up as its README says, with a joi schema
// for chat:send (other events unvalidated), the bio of profile:update sanitized, a
// moderators' /admin namespace, and POST /logout wired to revocation.revokeUser. It
// prints its URL; probe it from another shell (after
// `corepack pnpm --filter @portcullis/probe build`):
//
//   node packages/probe/scripts/preset-server.mjs
//   node packages/probe/dist/cli.js <printed url> --origin https://chat.example.com \
//     --hs256-secret probe-demo-secret-that-is-32-bytes-long! --event chat:send \
//     --payload '{"roomId":"general","text":"hi"}' --logout-url /logout \
//     --sanitized-event profile:update --sanitized-payload '{"bio":"hello"}' --sanitized-fields bio
import { createServer } from 'node:http';
import Joi from 'joi';
import { jwtVerify } from 'jose';
import { Server } from 'socket.io';
import { portcullis, secureServerOptions } from 'portcullis';

const SECRET = 'probe-demo-secret-that-is-32-bytes-long!';
const origins = ['https://chat.example.com'];
const key = new TextEncoder().encode(SECRET);

const httpServer = createServer();
const io = new Server(httpServer, secureServerOptions({ origins }));
const guards = portcullis(io, {
  origins,
  auth: { secret: SECRET, algorithms: ['HS256'] },
  validate: {
    schemas: {
      'chat:send': Joi.object({
        roomId: Joi.string()
          .pattern(/^[\w-]{1,64}$/)
          .required(),
        text: Joi.string().min(1).max(1000).required(),
      }),
    },
    unknownEvents: 'allow',
  },
  sanitize: { preset: 'basic', fields: { 'profile:update': ['bio'] } },
});
for (const namespace of ['/', '/admin']) {
  io.of(namespace).on('connection', (socket) => {
    socket.on('chat:send', (_message, ack) => ack?.({ ok: true }));
    socket.on('profile:update', (profile, ack) => ack?.({ ok: true, profile }));
  });
}
httpServer.on('request', async (req, res) => {
  if (req.url?.startsWith('/socket.io/')) return;
  if (req.method !== 'POST' || req.url !== '/logout') return void res.writeHead(404).end();
  try {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    await guards.revocation?.revokeUser(String(payload.sub));
    res.writeHead(204).end();
  } catch {
    res.writeHead(401).end();
  }
});
httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${httpServer.address().port}`);
});
