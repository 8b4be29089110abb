import { createDenylist, redisDenylistStore, redisReplayStore } from 'portcullis';
import { roomsOptions } from './rooms.mjs';
import { rules, schemas } from './schemas.mjs';
import { authOptions } from './tokens.mjs';

/** The size guard's limits; `secureServerOptions` gets them too, so the engine fits them. */
export const sizeLimit = { maxBytes: 16_384, events: { 'chat:send': { maxBytes: 8192 } } };

/**
 * The `portcullis` preset's options for the chat: every guard on, configured for this
 * app. `redis` (cluster mode) makes rate limits, the per-user connection cap and the
 * logout denylist hold across nodes.
 */
export function chatGuardOptions({ origins, secret, tokenTtlMs, redis, redisPrefix }) {
  const shared = redis === undefined ? {} : { redis };
  return {
    origins,
    auth: authOptions(secret),
    authorize: { rules },
    validate: { schemas },
    sanitize: { schemas, preset: 'basic' },
    // Who may open which room: open rooms for everyone, private ones by invitation.
    rooms: roomsOptions,
    // Spam in the text itself: the same message again and again, link and mention storms,
    // one character repeated, shouting (defaults of @portcullis/content).
    content: { fields: { 'chat:send': ['text'], 'admin:broadcast': ['text'] } },
    // A message is posted once, even when a retry or a replayed packet sends it again.
    replay: {
      events: { 'chat:send': true },
      ...(redis === undefined
        ? {}
        : { store: redisReplayStore(redis, { prefix: `${redisPrefix}:replay:` }) }),
    },
    sizeLimit,
    rateLimit: {
      ...shared,
      ...(redis === undefined ? {} : { keyPrefix: `${redisPrefix}:rl` }),
      messages: {
        perEvent: {
          'chat:send': { points: 5, durationMs: 5_000 },
          'admin:broadcast': { points: 3, durationMs: 10_000 },
          'room:join': { points: 20, durationMs: 10_000 },
          'room:invite': { points: 10, durationMs: 60_000 },
        },
      },
    },
    connectionLimit: {
      ...shared,
      ...(redis === undefined ? {} : { keyPrefix: `${redisPrefix}:cl` }),
    },
    // Warn (and so let the page refresh) halfway through short test tokens, 30 s before
    // the 2-minute ones.
    sessionExpiry: { warnBeforeMs: Math.min(30_000, Math.floor(tokenTtlMs / 2)) },
    logoutRevoke: {
      denylist: createDenylist({
        ...(redis === undefined
          ? {}
          : { store: redisDenylistStore(redis, { prefix: `${redisPrefix}:revoked:` }) }),
        // A revoked sign-in gets no new tokens, so its entry can go once its last token
        // (plus the verifier's clock tolerance) has expired.
        maxTokenLifetimeMs: tokenTtlMs + 10_000,
      }),
    },
  };
}
