import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { audit, jsonLinesSink, portcullis, secureServerOptions } from 'portcullis';
import { createAuthRoutes } from './auth-routes.mjs';
import { installChatEvents } from './chat-events.mjs';
import { pageOrigins } from './config.mjs';
import { chatGuardOptions, sizeLimit } from './guards.mjs';
import { sendStatus } from './http-io.mjs';
import { createStaticFiles, notFound } from './static-files.mjs';
import { INVITE_TTL_MS } from './rooms.mjs';
import { createRoomInviter, createTokenIssuer } from './tokens.mjs';

/**
 * One chat node: an HTTP server for the page and the sign-in endpoints, and a Socket.io
 * server behind the `portcullis` preset. `stores.sessions` holds sign-ins; in cluster
 * mode `stores.redis` and `stores.adapter` make limits, revocations and broadcasts reach
 * every node.
 */
export async function startChatNode(config, stores) {
  let handle = (_request, response) => sendStatus(response, 503);
  // Socket.io wraps the listeners present when it attaches and gives them every request
  // that is not its own, so ours is in place first and routes once everything is ready.
  const httpServer = createServer((request, response) => handle(request, response));
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address();
  const origins = pageOrigins(config.host, config.pagePorts.length > 0 ? config.pagePorts : [port]);

  const io = new Server(httpServer, {
    ...secureServerOptions({ origins, sizeLimit }),
    ...(stores.adapter === undefined ? {} : { adapter: stores.adapter }),
  });
  const stopAudit = config.audit ? audit({ sinks: [jsonLinesSink(process.stdout)] }) : () => {};
  const guards = portcullis(io, chatGuardOptions({ ...config, origins, redis: stores.redis }));
  installChatEvents(io, {
    nodeName: config.nodeName,
    rooms: guards.rooms,
    inviteToRoom: createRoomInviter({ ...config, inviteTtlMs: INVITE_TTL_MS }),
  });

  const authRoutes = createAuthRoutes({
    origins,
    sessions: stores.sessions,
    issueToken: createTokenIssuer(config),
    revocation: guards.revocation,
    sessionTtlMs: config.sessionTtlMs,
  });
  const staticFiles = createStaticFiles({ origins });
  handle = (request, response) => {
    (async () => {
      if (await authRoutes(request, response)) return;
      if (await staticFiles(request, response)) return;
      notFound(response);
    })().catch((error) => {
      console.error('[chat] request failed:', error);
      if (!response.headersSent) sendStatus(response, 500);
      else response.destroy();
    });
  };

  const url = `http://${config.host}:${port}`;
  return {
    url,
    io,
    async close() {
      stopAudit();
      await new Promise((resolve) => io.close(() => resolve()));
    },
  };
}
