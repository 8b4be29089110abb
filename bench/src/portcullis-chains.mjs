// The Portcullis chains: each guard alone, installed the way its README shows, and the
// `portcullis` preset with in-memory and with Redis stores.
//
// Profiles: 'throughput' puts every limit far above the load (the figures are the cost
// of the checks, never of refusals); 'flood' keeps the packages' defaults, which are
// realistic limits, so the abuser is refused and disconnected; 'refuse' refuses every
// packet after the first through the message rate limit and never disconnects, so the
// cost of the refusal path itself can be measured.
import { configurePortcullis, usePacketGuards } from '@portcullis/core';
import { originEngineMiddleware } from '@portcullis/origin';
import { authGuard } from '@portcullis/auth';
import { rateLimitGuard } from '@portcullis/rate-limit';
import { recommendedMaxHttpBufferSize, sizeLimitGuard } from '@portcullis/size-limit';
import { validateGuard } from '@portcullis/validate';
import { sanitizeGuard } from '@portcullis/sanitize';
import { idleTimeoutGuard } from '@portcullis/idle-timeout';
import { createDenylist, portcullis, redisDenylistStore, secureServerOptions } from 'portcullis';
import { ORIGIN, SECRET } from './fixtures.mjs';
import { redisNode } from './redis.mjs';
import { chatSchema } from './schemas.mjs';

const HUGE = 1_000_000_000;
const auth = { secret: SECRET, algorithms: ['HS256'] };

/**
 * Rate limits of the given profile. 'throughput' keeps the shape of the defaults (two
 * message windows per scope, a block on connections) so every check still runs.
 */
function rateLimitOptions(profile) {
  if (profile === 'flood') return {};
  const connections = {
    perIp: { points: HUGE, durationMs: 10_000, blockDurationMs: 60_000 },
    perUser: { points: HUGE, durationMs: 10_000, blockDurationMs: 60_000 },
  };
  if (profile === 'refuse') {
    return {
      connections,
      messages: { perSocket: { points: 1, durationMs: 60_000 } },
    };
  }
  return {
    connections,
    messages: {
      perSocket: [
        { points: HUGE, durationMs: 1000 },
        { points: HUGE, durationMs: 60_000 },
      ],
      perUser: [
        { points: HUGE, durationMs: 1000 },
        { points: HUGE, durationMs: 60_000 },
      ],
    },
  };
}

function connectionLimitOptions(profile) {
  if (profile === 'flood') return {};
  return { maxConnections: HUGE, maxPerIp: HUGE, maxPerUser: HUGE };
}

/** The preset as the chat example configures it: one schema, sanitize on `text`. */
function presetOptions(profile) {
  return {
    origins: [ORIGIN],
    auth,
    validate: { schemas: { 'chat:send': chatSchema } },
    sanitize: { preset: 'basic', fields: { 'chat:send': ['text'] } },
    rateLimit: rateLimitOptions(profile),
    connectionLimit: connectionLimitOptions(profile),
    // Refusals are the point of some scenarios: no console line for each.
    logRefusals: false,
    // 'refuse' refuses every packet after the first and never cuts the socket.
    ...(profile === 'refuse' ? { escalation: { disconnectAfter: false } } : {}),
  };
}

function presetChain(io, profile) {
  const guards = portcullis(io, presetOptions(profile));
  return { revokeUser: (userId) => guards.revocation.revokeUser(userId) };
}
presetChain.serverOptions = () => secureServerOptions({ origins: [ORIGIN] });

/** The three handshake checks of `preset-redis` that `careful-redis` does not make. */
const ALL_REDIS_CHECKS = { userAttempts: true, connectionLimit: true, denylist: true };

/**
 * Rate limits, the connection limit and the denylist in Redis, and the Redis adapter;
 * `checks` leaves some of the handshake's Redis checks out.
 * `BENCH_REDIS_PREFIX` lets two nodes share one cluster (the revocation scenario);
 * otherwise each server gets its own keys, so runs never count each other's traffic.
 */
function presetRedisWith(checks) {
  const install = async (io, profile) => {
    const { redis, prefix } = await redisNode(io);
    const options = presetOptions(profile);
    const { connections } = options.rateLimit;
    const guards = portcullis(io, {
      ...options,
      rateLimit: {
        ...options.rateLimit,
        ...(checks.userAttempts ? {} : { connections: { ...connections, perUser: false } }),
        redis,
        keyPrefix: `${prefix}:rl`,
      },
      connectionLimit: checks.connectionLimit
        ? { ...options.connectionLimit, redis, keyPrefix: `${prefix}:cl` }
        : false,
      logoutRevoke: checks.denylist
        ? {
            denylist: createDenylist({
              store: redisDenylistStore(redis, { prefix: `${prefix}:revoked:` }),
              // The bench's tokens live one hour: keep revocations no longer than that.
              maxTokenLifetimeMs: 3_600_000,
            }),
          }
        : false,
    });
    return { revokeUser: (userId) => guards.revocation?.revokeUser(userId) };
  };
  install.serverOptions = presetChain.serverOptions;
  return install;
}

/**
 * `preset-redis` with the handshake checks `careful-redis` makes and no more (no per-user
 * attempt window, no connection caps, no denylist), then with one of the three added
 * back: outside the main run, for `src/redis-handshakes.mjs`, to tell what each costs.
 */
const presetRedisCheckByCheck = {
  'preset-redis-careful-checks': presetRedisWith({}),
  ...Object.fromEntries(
    Object.keys(ALL_REDIS_CHECKS).map((check) => [
      `preset-redis-careful-checks+${check}`,
      presetRedisWith({ [check]: true }),
    ]),
  ),
};

/** Recommended hook: every HTTP request, 403 before Socket.io does any work. */
function originChain(io) {
  io.engine.use(originEngineMiddleware({ origins: [ORIGIN] }));
}

function authChain(io) {
  io.use(authGuard(auth));
}

/** Alone, without auth: per-IP connection attempts, messages per socket, error rate. */
function rateLimitChain(io, profile) {
  // Refusals are weighed by core's escalation: 'refuse' keeps the socket to the end.
  if (profile === 'refuse') configurePortcullis(io, { escalation: { disconnectAfter: false } });
  const limits = rateLimitGuard(rateLimitOptions(profile));
  io.use(limits.connections);
  usePacketGuards(io, ...limits.packetGuards);
}

function sizeLimitChain(io) {
  usePacketGuards(io, sizeLimitGuard());
}
// The README's advice: the engine's buffer just above the guard's limit.
sizeLimitChain.serverOptions = () => ({ maxHttpBufferSize: recommendedMaxHttpBufferSize({}) });

function validateChain(io) {
  usePacketGuards(io, validateGuard({ 'chat:send': chatSchema }));
}

function sanitizeChain(io) {
  usePacketGuards(io, sanitizeGuard({ preset: 'basic', fields: { 'chat:send': ['text'] } }));
}

function idleTimeoutChain(io) {
  usePacketGuards(io, idleTimeoutGuard());
}

/**
 * The preset with one guard left out (`false`), for `--only breakdown`: what each guard
 * adds to the preset's memory and handshake cost.
 */
const PRESET_KEYS = [
  'auth',
  'rateLimit',
  'connectionLimit',
  'sizeLimit',
  'validate',
  'sanitize',
  'sessionExpiry',
  'logoutRevoke',
  'idleTimeout',
  'securityHeaders',
];
const presetWithout = Object.fromEntries(
  PRESET_KEYS.map((key) => {
    const install = (io, profile) => {
      portcullis(io, { ...presetOptions(profile), [key]: false });
    };
    install.serverOptions = presetChain.serverOptions;
    return [`preset-without-${key}`, install];
  }),
);

export const chains = {
  origin: originChain,
  auth: authChain,
  'rate-limit': rateLimitChain,
  'size-limit': sizeLimitChain,
  validate: validateChain,
  sanitize: sanitizeChain,
  'idle-timeout': idleTimeoutChain,
  preset: presetChain,
  'preset-redis': presetRedisWith(ALL_REDIS_CHECKS),
  ...presetRedisCheckByCheck,
  ...presetWithout,
};
