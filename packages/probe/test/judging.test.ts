import type { Socket } from 'socket.io';
import { startServer } from '@portcullis/testing';
import { runProbe } from '@portcullis/probe';
import { carefulServer } from './fixtures/careful-server';
import { EVENT, ORIGIN, PAYLOAD, SECRET } from './fixtures/constants';

type Ack = (reply: unknown) => void;

/** A server whose `chat:send` handler does `handle`, behind no guard. */
async function chatServer(handle: (socket: Socket, message: unknown, ack?: Ack) => void) {
  return startServer({
    setup(io) {
      io.on('connection', (socket) => {
        socket.on(EVENT, (message: unknown, ack?: Ack) => handle(socket, message, ack));
      });
    },
  });
}

function isSmall(message: unknown): boolean {
  return JSON.stringify(message).length < 1000;
}

describe('verdicts come from what the server did', () => {
  it('tells "no answer" from a refusal: a dropped message is neither pass nor fail', async () => {
    // Acks what it likes, drops the rest without a word.
    const server = await chatServer((_socket, message, ack) => {
      if (isSmall(message)) ack?.({ ok: true });
    });
    const report = await runProbe({
      url: server.url,
      event: EVENT,
      payload: PAYLOAD,
      timeoutMs: 300,
      only: ['oversized-payload'],
    });
    const check = report.results[1];
    expect(check?.status).toBe('no-answer');
    expect(check?.evidence[0]).toMatchObject({
      received: 'no answer (timeout)',
      outcome: 'timeout',
      verdict: 'no-answer',
      note: 'nothing within 300 ms',
    });
    expect(check?.summary).toBe(
      'no answer: one 100 KiB "chat:send" message: no answer (timeout) (nothing within 300 ms)',
    );
    expect([report.failed, report.noAnswer, report.ok]).toEqual([0, 1, true]);
  });

  it('tells "no answer" from a refusal for handshakes too', async () => {
    const server = await startServer({
      setup(io) {
        io.use((socket, next) => {
          if (socket.handshake.auth.token !== undefined) next();
        });
      },
    });
    const report = await runProbe({
      url: server.url,
      hs256Secret: SECRET,
      timeoutMs: 300,
      only: ['no-token'],
    });
    expect(report.results.map(({ id, status }) => [id, status])).toEqual([
      ['baseline', 'pass'],
      ['no-token', 'no-answer'],
    ]);
    expect(report.results[1]?.evidence[0]?.outcome).toBe('timeout');
  });

  it('counts an error event of any name as a refusal, with its code as sent', async () => {
    // A NestJS-style server: bad payloads get an `exception` event, no ack.
    const server = await chatServer((socket, message, ack) => {
      if (Object.hasOwn(message as object, '__proto__')) {
        socket.emit('exception', { status: 'error', message: 'Invalid payload' });
      } else ack?.({ ok: true });
    });
    const report = await runProbe({
      url: server.url,
      event: EVENT,
      payload: PAYLOAD,
      timeoutMs: 1000,
      only: ['prototype-pollution'],
    });
    const check = report.results[1];
    expect(
      check?.evidence.map(({ received, outcome, verdict }) => [received, outcome, verdict]),
    ).toEqual([
      ["'exception' event", 'refused', 'pass'],
      ['acked', 'acked', 'fail'],
    ]);
    expect(check?.status).toBe('fail');
    expect(check?.summary).toBe('a payload with a "constructor": { "prototype" } was acked');
  });

  it('cannot judge refusals when the payload as given is refused too', async () => {
    const server = await chatServer((_socket, _message, ack) => ack?.({ error: 'NOT_ALLOWED' }));
    const report = await runProbe({
      url: server.url,
      event: EVENT,
      payload: PAYLOAD,
      only: ['messages'],
    });
    const messages = report.results.slice(1);
    expect(messages.map(({ status }) => status)).toEqual(Array(7).fill('not-applicable'));
    expect(messages[0]?.summary).toBe(
      `the payload as given got ack error 'NOT_ALLOWED', so refusals of bad ones prove nothing: give a --payload your server acks for "chat:send"`,
    );
    expect(report.ok).toBe(true);
  });

  it('cannot judge a refusal by a rate limit: it says nothing about the token', async () => {
    const server = await startServer({
      setup(io) {
        io.use((socket, next) => {
          if (socket.handshake.auth.token !== undefined) return next();
          const error = Object.assign(new Error('slow down'), {
            data: { code: 'RATE_LIMITED', retryAfterMs: 60_000 },
          });
          next(error);
        });
      },
    });
    const report = await runProbe({ url: server.url, hs256Secret: SECRET, only: ['no-token'] });
    expect(report.results[1]).toMatchObject({
      status: 'not-applicable',
      evidence: [{ received: 'RATE_LIMITED', outcome: 'refused', verdict: 'not-applicable' }],
    });
  });

  it('probes the namespace named in the URL, and the others without it', async () => {
    const server = await carefulServer();
    const report = await runProbe({
      url: `${server.url}/admin`,
      origin: ORIGIN,
      hs256Secret: SECRET,
      only: ['auth'],
    });
    expect(report.target).toBe(`${server.url}/admin`);
    expect(
      report.results.map(({ id, evidence }) => [
        id,
        evidence.map(({ attempt, received }) => `${attempt}: ${received}`),
      ]),
    ).toEqual([
      ['baseline', [`Origin: ${ORIGIN} + made token: connected`]],
      ['no-token', ["no token: connect_error 'UNAUTHORIZED'"]],
      ['alg-none', ["unsigned token (alg: none): connect_error 'UNAUTHORIZED'"]],
      ['expired-token', ["expired token, valid signature: connect_error 'UNAUTHORIZED'"]],
      ['wrong-key', ["HS256 token signed with another key: connect_error 'UNAUTHORIZED'"]],
      ['unguarded-namespace', ["/internal without a token: connect_error 'Invalid namespace'"]],
    ]);
  });
});
