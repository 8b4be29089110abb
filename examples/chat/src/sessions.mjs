import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Sign-ins of the demo's stand-in identity provider. A sign-in is two values:
 * - `secret`: random, only ever in the browser's HttpOnly cookie; whoever holds it can
 *   get new access tokens, so the store keeps only its SHA-256 digest;
 * - `sid`: the public session id written into every access token, which logout revokes.
 *
 * Records: `{ sid, userId, roles, expiresAt }`. In memory for one node, in Redis when
 * several nodes must see the same sign-ins.
 */
export function newSession(userId, roles, ttlMs, now = Date.now()) {
  // Whole seconds, like a JWT's `exp`: the last token ends exactly when the sign-in does.
  const expiresAt = Math.floor((now + ttlMs) / 1000) * 1000;
  return {
    secret: randomBytes(32).toString('base64url'),
    record: { sid: randomUUID(), userId, roles, expiresAt },
  };
}

const digest = (secret) => createHash('sha256').update(secret).digest('base64url');

export function memorySessionStore({ now = Date.now } = {}) {
  const records = new Map();
  // Expired sign-ins are dropped once a minute, so the map does not grow forever.
  const sweep = setInterval(() => {
    const at = now();
    for (const [key, record] of records) if (record.expiresAt <= at) records.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async save(secret, record) {
      records.set(digest(secret), record);
    },
    async find(secret) {
      const record = records.get(digest(secret));
      return record !== undefined && record.expiresAt > now() ? record : undefined;
    },
    async remove(secret) {
      const key = digest(secret);
      const record = records.get(key);
      records.delete(key);
      return record;
    },
    close() {
      clearInterval(sweep);
    },
  };
}

export function redisSessionStore(redis, prefix, { now = Date.now } = {}) {
  const key = (secret) => `${prefix}:session:${digest(secret)}`;
  return {
    async save(secret, record) {
      const ttlMs = Math.max(1, record.expiresAt - now());
      await redis.set(key(secret), JSON.stringify(record), 'PX', ttlMs);
    },
    async find(secret) {
      const raw = await redis.get(key(secret));
      return raw === null ? undefined : JSON.parse(raw);
    },
    async remove(secret) {
      const raw = await redis.getdel(key(secret));
      return raw === null ? undefined : JSON.parse(raw);
    },
    close() {},
  };
}
