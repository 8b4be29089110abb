// The server-side chains under test. Each entry installs its guards on a fresh `io`.
// `profile` is 'throughput' (limits far above the load, so we measure the cost of the
// checks), 'flood' (realistic limits, so the abuser is refused) or 'refuse' (every
// packet refused, to measure the refusal path). An installer may return a handle
// (`{ revokeUser }`) and carry `serverOptions(profile)` for the Socket.io server.
import jwt from 'jsonwebtoken';
import sanitizeHtml from 'sanitize-html';
import socketioJwt from 'socketio-jwt';
import { carefulRedisChain } from './careful-redis-chain.mjs';
import { ORIGIN, SECRET } from './fixtures.mjs';
import { chatSchema } from './schemas.mjs';

function limitsFor(profile) {
  return profile === 'flood'
    ? { points: 50, durationMs: 1000 }
    : { points: 1_000_000, durationMs: 1000 };
}

/** What tutorials show: `includes()`, jsonwebtoken, a Map of timestamp arrays, stringify. */
function tutorialChain(io, profile) {
  const { points, durationMs } = limitsFor(profile);
  const hits = new Map(); // keyed by socket id, never cleaned: the usual leak
  io.use((socket, next) => {
    const origin = socket.handshake.headers.origin;
    if (!origin || !['https://chat.example.com'].some((allowed) => origin.includes(allowed))) {
      return next(new Error('origin not allowed'));
    }
    next();
  });
  io.use((socket, next) => {
    try {
      socket.data.user = jwt.verify(socket.handshake.auth.token, SECRET);
      next();
    } catch {
      next(new Error('unauthorized'));
    }
  });
  io.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.use((packet, next) => {
      const now = Date.now();
      const recent = (hits.get(socket.id) ?? []).filter((at) => now - at < durationMs);
      recent.push(now);
      hits.set(socket.id, recent);
      if (recent.length > points) return next(new Error('rate limited'));
      if (JSON.stringify(packet).length > 65536) return next(new Error('too large'));
      const { error, value } = chatSchema.validate(packet[1]);
      if (error) return next(new Error('invalid'));
      value.text = sanitizeHtml(value.text, { allowedTags: ['b', 'i', 'em', 'strong', 'a'] });
      packet[1] = value;
      next();
    });
  });
}

/** The `socketio-jwt` package for the auth handshake, nothing else. */
function socketioJwtChain(io) {
  io.use(socketioJwt.authorize({ secret: SECRET, handshake: true, auth_header_required: false }));
}

/** How tutorials refuse a packet: `next(err)`, with an error listener to keep the process up. */
function nextErrorChain(io) {
  io.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.use((_packet, next) => next(new Error('rate limited')));
  });
}

/** Extra chains (the Portcullis guards) register here; see portcullis-chains.mjs. */
export const chains = {
  bare: () => undefined,
  tutorial: tutorialChain,
  'socketio-jwt': socketioJwtChain,
  'next-err': nextErrorChain,
  'careful-redis': carefulRedisChain,
};

export async function loadChains() {
  try {
    const extra = await import('./portcullis-chains.mjs');
    Object.assign(chains, extra.chains);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  return chains;
}

export { ORIGIN };
