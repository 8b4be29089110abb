// A careful hand-written cluster chain, what a user writes in an afternoon with the
// libraries this project builds on: an exact origin check, jose for the token,
// rate-limiter-flexible's RateLimiterRedis (with a memory insurance limiter) for
// handshakes per IP and messages per user, joi and sanitize-html on the message, and
// the Redis adapter. The yardstick for `preset-redis`.
import { jwtVerify } from 'jose';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import sanitizeHtml from 'sanitize-html';
import { ORIGIN, SECRET } from './fixtures.mjs';
import { redisNode } from './redis.mjs';
import { chatSchema } from './schemas.mjs';

const HUGE = 1_000_000_000;
const key = new TextEncoder().encode(SECRET);
const allowedOrigins = new Set([ORIGIN]);

export async function carefulRedisChain(io, profile) {
  const { redis, prefix } = await redisNode(io);
  const limiter = (name, points, duration) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:${name}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration }),
    });
  const flood = profile === 'flood';
  const perIp = limiter('ip', flood ? 20 : HUGE, 10);
  const perUser = limiter('user', flood ? 50 : HUGE, 1);

  io.use((socket, next) => {
    if (!allowedOrigins.has(socket.handshake.headers.origin)) {
      return next(new Error('origin not allowed'));
    }
    next();
  });
  io.use(async (socket, next) => {
    try {
      await perIp.consume(socket.handshake.address);
      const { payload } = await jwtVerify(String(socket.handshake.auth?.token), key, {
        algorithms: ['HS256'],
      });
      socket.data.user = payload;
      next();
    } catch {
      next(new Error('unauthorized'));
    }
  });
  io.on('connection', (socket) => {
    socket.on('error', () => undefined);
    const userId = String(socket.data.user.sub);
    socket.use((packet, next) => {
      perUser.consume(userId).then(
        () => {
          if (packet[0] === 'chat:send') {
            const { error, value } = chatSchema.validate(packet[1]);
            if (error) return next(new Error('invalid'));
            value.text = sanitizeHtml(value.text, { allowedTags: ['b', 'i', 'em', 'strong', 'a'] });
            packet[1] = value;
          }
          next();
        },
        () => next(new Error('rate limited')),
      );
    });
  });
}
