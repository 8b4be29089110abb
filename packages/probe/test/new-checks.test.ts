import type { Socket } from 'socket.io';
import { startServer } from '@portcullis/testing';
import { runProbe, type CheckResult, type ProbeOptions } from '@portcullis/probe';
import { carefulServer } from './fixtures/careful-server';
import {
  ORIGIN,
  SANITIZED_EVENT,
  SANITIZED_FIELD,
  SANITIZED_PAYLOAD,
  SECRET,
} from './fixtures/constants';

const sanitized = {
  origin: ORIGIN,
  hs256Secret: SECRET,
  sanitizedEvent: SANITIZED_EVENT,
  sanitizedPayload: SANITIZED_PAYLOAD,
  sanitizedFields: [SANITIZED_FIELD],
  timeoutMs: 2000,
} as const;

async function check(url: string, options: Partial<ProbeOptions>): Promise<CheckResult> {
  const report = await runProbe({ ...options, url });
  expect(report.results[0]).toMatchObject({ id: 'baseline', status: 'pass' });
  expect(report.results).toHaveLength(2);
  return report.results[1] as CheckResult;
}

function rows(result: CheckResult): string[] {
  return result.evidence.map(({ attempt, received }) => `${attempt}: ${received}`);
}

type Ack = (reply: unknown) => void;

/** A server whose `profile:update` handler does `handle`, behind no guard. */
async function profileServer(handle: (socket: Socket, profile: unknown, ack?: Ack) => void) {
  return startServer({
    setup(io) {
      io.on('connection', (socket) => {
        socket.on(SANITIZED_EVENT, (profile: unknown, ack?: Ack) => handle(socket, profile, ack));
      });
    },
  });
}

describe('unguarded-namespace: other namespaces without a token', () => {
  it('fails when the token is checked on the main namespace only', async () => {
    const server = await carefulServer({ tokenCheckOn: 'main-only' });
    const result = await check(server.url, {
      ...sanitized,
      event: 'chat:send',
      payload: { roomId: 'general', text: 'hi' },
      only: ['unguarded-namespace'],
    });
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'a socket without a token connected to /admin, and its "chat:send" was acked',
    );
    expect(rows(result)).toEqual([
      '/admin without a token: connected',
      '"chat:send" on /admin without a token: acked',
      "/internal without a token: connect_error 'Invalid namespace'",
    ]);
  });

  it('tries the namespaces it is given first, and cannot judge one that does not exist', async () => {
    const server = await carefulServer();
    const result = await check(server.url, {
      ...sanitized,
      namespaces: ['/chat', '/admin'],
      only: ['unguarded-namespace'],
    });
    expect(rows(result)).toEqual([
      "/chat without a token: connect_error 'Invalid namespace'",
      "/admin without a token: connect_error 'UNAUTHORIZED'",
      "/internal without a token: connect_error 'Invalid namespace'",
    ]);
    expect(result.evidence.map(({ verdict }) => verdict)).toEqual([
      'not-applicable',
      'pass',
      'pass',
    ]);
    expect(result.status).toBe('not-applicable');
    expect(result.summary).toMatch(/no such namespace: check --namespaces/);
  });
});

describe('markup-in-array: markup in a sanitized field, as a string and in arrays', () => {
  it('fails when only strings are sanitized and arrays come back as they were sent', async () => {
    const server = await carefulServer({ bio: 'strings-only' });
    const result = await check(server.url, { ...sanitized, only: ['markup-in-array'] });
    expect(rows(result)).toEqual([
      'the payload as given: acked',
      'markup as a string in bio: acked, echoed cleaned',
      'bio as an array of markup: acked, echoed intact',
      'bio as a nested array of markup: acked, echoed intact',
    ]);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'bio as an array of markup was acked and echoed back with the markup intact',
    );
  });

  it('reads an echo in an event the sender receives (a broadcast of what was stored)', async () => {
    const server = await profileServer((socket, profile, ack) => {
      socket.emit('profile:updated', profile);
      ack?.({ ok: true });
    });
    const result = await check(server.url, { ...sanitized, only: ['markup-in-array'] });
    expect(rows(result).slice(1)).toEqual([
      'markup as a string in bio: acked, echoed intact',
      'bio as an array of markup: acked, echoed intact',
      'bio as a nested array of markup: acked, echoed intact',
    ]);
    expect(result.status).toBe('fail');
  });

  it('cannot judge an ack that echoes nothing: the handler is out of sight', async () => {
    const server = await profileServer((_socket, _profile, ack) => ack?.({ ok: true }));
    const result = await check(server.url, { ...sanitized, only: ['markup-in-array'] });
    expect(result.status).toBe('not-applicable');
    expect(result.evidence.slice(1).map(({ received, verdict }) => [received, verdict])).toEqual(
      Array(3).fill(['acked, not echoed', 'not-applicable']),
    );
    expect(result.summary).toBe(
      'cannot judge: markup as a string in bio: acked, not echoed (nothing came back to show whether the markup was cleaned)',
    );
  });

  it('is not applicable without sanitized fields', async () => {
    const server = await carefulServer();
    const report = await runProbe({
      url: server.url,
      origin: ORIGIN,
      hs256Secret: SECRET,
      only: ['sanitize'],
    });
    expect(report.results.slice(1).map(({ id, status, summary }) => [id, status, summary])).toEqual(
      [
        ['markup-in-array', 'not-applicable', expect.stringMatching(/^needs --sanitized-fields/)],
        ['markup-bomb', 'not-applicable', expect.stringMatching(/^needs --sanitized-fields/)],
      ],
    );
  });
});

describe('markup-bomb: a message full of markup, within the size limit', () => {
  it('fails when other clients wait on a sanitizer that pays per tag', async () => {
    // About 8 µs per tag: some 160 ms for the 60 KiB of "<b>".
    const server = await carefulServer({ bio: 'slow' });
    const result = await check(server.url, { ...sanitized, only: ['markup-bomb'] });
    expect(result.status).toBe('fail');
    const [bomb, strings] = result.evidence;
    expect(bomb).toMatchObject({
      attempt: '60 KiB of "<b>" in bio',
      outcome: 'acked',
      verdict: 'fail',
    });
    const waited = Number(/^acked, others \+(\d+) ms$/.exec(bomb?.received ?? '')?.[1]);
    expect(waited).toBeGreaterThan(50);
    expect(result.summary).toBe(
      `while a message of 60 KiB of "<b>" in bio was handled, another client's answers came ${waited} ms later than usual (the least of 3 tries; threshold 50 ms)`,
    );
    // An array where the bio's string belongs is refused by the server's own rule.
    expect(strings).toMatchObject({
      attempt: '9000 "<b>" strings in bio',
      received: "ack error 'VALIDATION_ERROR'",
      verdict: 'pass',
      note: 'refused the same size without markup too',
    });
  });

  it('passes the same server when the threshold is above what it costs', async () => {
    const server = await carefulServer({ bio: 'slow' });
    const result = await check(server.url, {
      ...sanitized,
      markupDelayMs: 5000,
      only: ['markup-bomb'],
    });
    expect(result.status).toBe('pass');
    expect(result.evidence[0]?.note).toMatch(/threshold 5000 ms/);
  });

  it('is not applicable when the sample payload alone is larger than markupBytes', async () => {
    const server = await carefulServer();
    const result = await check(server.url, {
      ...sanitized,
      // The bio is replaced by the bomb; the rest of the payload stays.
      sanitizedPayload: { bio: 'hello', avatar: 'x'.repeat(1500) },
      markupBytes: 1024,
      only: ['markup-bomb'],
    });
    expect(result).toMatchObject({
      status: 'not-applicable',
      summary: 'the sanitized payload alone is larger than --markup-bytes',
    });
  });
});

describe('replay: a message sent again, or stamped long ago', () => {
  /** A server that remembers vote ids but never looks at the send time. */
  async function idsOnlyServer() {
    const seen = new Set<string>();
    return startServer({
      setup(io) {
        io.on('connection', (socket) => {
          socket.on('vote:cast', (vote: { messageId?: unknown }, ack?: Ack) => {
            const id = String(vote?.messageId);
            if (seen.has(id)) return ack?.({ error: { code: 'DUPLICATE' } });
            seen.add(id);
            ack?.({ ok: true });
          });
        });
      },
    });
  }

  it('fails a server that refuses a repeated id but takes an old message with a new id', async () => {
    const server = await idsOnlyServer();
    const result = await check(server.url, {
      ...sanitized,
      replayEvent: 'vote:cast',
      replayPayload: { choice: 'b' },
      only: ['replay'],
    });
    expect(rows(result)).toEqual([
      '"vote:cast": one message with a new messageId: acked',
      `"vote:cast": the same message again (same id): ack error 'DUPLICATE'`,
      `"vote:cast": a new messageId with sentAt an hour ago: acked`,
    ]);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('"vote:cast": a new messageId with sentAt an hour ago was acked');
  });

  it('says which options it needs, and refuses replay options without the event', async () => {
    const server = await idsOnlyServer();
    const result = await check(server.url, { ...sanitized, only: ['replay'] });
    expect(result).toMatchObject({
      status: 'not-applicable',
      summary: 'needs --replay-event: an event your server protects against replays',
    });
    await expect(runProbe({ url: server.url, replayPayload: { choice: 'a' } })).rejects.toThrow(
      'replayPayload needs replayEvent: the event to replay.',
    );
  });
});

describe('foreign-room: writing into rooms the client is not in', () => {
  it('refuses a room field that does not name a room in the payload', async () => {
    const server = await carefulServer();
    await expect(
      runProbe({
        url: server.url,
        event: 'chat:send',
        payload: { text: 'hi' },
        roomField: 'roomId',
      }),
    ).rejects.toThrow(/^roomField: payload.roomId must be the name of a room/);
  });
});
