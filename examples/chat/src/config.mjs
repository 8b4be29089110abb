import { randomBytes } from 'node:crypto';

/**
 * The chat node's settings, read once from the environment and checked with messages
 * that say how to fix them. Every setting has a default, so `node src/server.mjs` runs
 * with nothing set.
 *
 * | variable              | default            | meaning                                                        |
 * | --------------------- | ------------------ | -------------------------------------------------------------- |
 * | `PORT`                | `3000`             | port of this node; `0` lets the system pick one                |
 * | `HOST`                | `127.0.0.1`        | address to listen on                                           |
 * | `CHAT_TOKEN_TTL_S`    | `120`              | lifetime of an access token (the JWT the socket carries)       |
 * | `CHAT_SESSION_TTL_S`  | `28800` (8 h)      | lifetime of a sign-in (the cookie that gets new tokens)        |
 * | `CHAT_JWT_SECRET`     | random per process | HS256 secret; every node of a cluster needs the same one       |
 * | `CHAT_NODE_NAME`      | `solo`             | shown on the page, so you can tell the nodes apart             |
 * | `CHAT_PAGE_PORTS`     | this node's port   | ports of every node, for the origin allowlist (cluster mode)   |
 * | `REDIS_URL`           | —                  | Redis for the adapter and the shared stores (cluster mode)     |
 * | `CHAT_REDIS_PREFIX`   | `chat`             | prefix of every Redis key and channel this app uses            |
 * | `CHAT_AUDIT`          | `1`                | `0` stops printing security events as JSON lines               |
 */
export function readConfig(env = process.env) {
  const port = integer(env, 'PORT', 3000, { min: 0, max: 65535 });
  const tokenTtlS = integer(env, 'CHAT_TOKEN_TTL_S', 120, { min: 2, max: 3600 });
  const sessionTtlS = integer(env, 'CHAT_SESSION_TTL_S', 8 * 3600, { min: 2, max: 30 * 86400 });
  const secret = env.CHAT_JWT_SECRET || randomBytes(32).toString('base64url');
  if (Buffer.byteLength(secret) < 32) {
    throw new Error(
      'CHAT_JWT_SECRET must be at least 32 bytes (HS256). Generate one with: openssl rand -base64 32',
    );
  }
  const prefix = env.CHAT_REDIS_PREFIX || 'chat';
  if (!/^[\w:.-]{1,64}$/.test(prefix)) {
    throw new Error('CHAT_REDIS_PREFIX may hold letters, digits, "_", ":", "." and "-" only.');
  }
  const nodeName = env.CHAT_NODE_NAME || 'solo';
  if (!/^[\w-]{1,16}$/.test(nodeName)) {
    throw new Error('CHAT_NODE_NAME may hold letters, digits, "_" and "-" only (16 at most).');
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    tokenTtlMs: tokenTtlS * 1000,
    sessionTtlMs: sessionTtlS * 1000,
    secret,
    nodeName,
    pagePorts: ports(env.CHAT_PAGE_PORTS),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: prefix,
    audit: env.CHAT_AUDIT !== '0',
  };
}

function integer(env, name, fallback, { min, max }) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
  }
  return value;
}

function ports(raw) {
  if (raw === undefined || raw === '') return [];
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`CHAT_PAGE_PORTS must list ports separated by commas (got "${raw}").`);
    }
    return value;
  });
}

/**
 * The origins the page is served from: this node's port (and every node's in cluster
 * mode), under both names a browser may use for this machine. They are the whole
 * allowlist: a page anywhere else cannot open a socket here.
 */
export function pageOrigins(host, ports) {
  const names = host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', 'localhost'] : [host];
  return ports.flatMap((port) => names.map((name) => `http://${name}:${port}`));
}
