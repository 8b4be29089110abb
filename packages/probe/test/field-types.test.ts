import Joi from 'joi';
import { runProbe, type CheckResult, type ProbeOptions } from '@portcullis/probe';
import { EVENT, ORIGIN, PAYLOAD, SECRET } from './fixtures/constants';
import { CHAT_SCHEMA, presetServer } from './fixtures/preset-server';
import { unguardedServer } from './fixtures/unguarded-server';

const options = {
  origin: ORIGIN,
  hs256Secret: SECRET,
  event: EVENT,
  payload: PAYLOAD,
  timeoutMs: 2000,
  only: ['field-types'],
} as const;

/** Every mutation of `PAYLOAD`, in the order they are sent (round the fields, one type at a time). */
const CHAT_MUTATIONS = [
  'roomId as a number',
  'text as a number',
  'roomId as null',
  'text as null',
  'roomId as an object',
  'text as an object',
  'roomId as an array',
  'text as an array',
  'roomId as a boolean',
  'text as a boolean',
  'roomId as an object with "__proto__"',
  'text as an object with "__proto__"',
  'roomId as a 16 KiB string',
  'text as a 16 KiB string',
];

async function fieldTypes(url: string, extra: Partial<ProbeOptions> = {}): Promise<CheckResult> {
  const report = await runProbe({ ...options, ...extra, url });
  expect(report.results[0]).toMatchObject({ id: 'baseline', status: 'pass' });
  const result = report.results[1];
  expect(result?.id).toBe('field-types');
  return result as CheckResult;
}

function rows(result: CheckResult): [string, string][] {
  return result.evidence.map(({ attempt, received }) => [attempt, received]);
}

describe('field-types: every field replaced by values of other types', () => {
  it('passes against the preset with a joi schema for the event: every mutation gets VALIDATION_FAILED', async () => {
    const { server, traffic } = await presetServer();
    const result = await fieldTypes(server.url);

    expect(result.status).toBe('pass');
    expect(result.summary).toBe(
      'every field of another type was refused (14 mutations: refused with VALIDATION_FAILED)',
    );
    expect(rows(result)).toEqual([
      ['the payload as given', 'acked'],
      ...CHAT_MUTATIONS.map((attempt) => [attempt, 'VALIDATION_FAILED']),
    ]);
    // Only the unmodified payload reached the handler.
    expect(traffic.handled).toBe(1);
  });

  it('fails against an unguarded server, listing every mutation that was acked', async () => {
    const { server, traffic } = await unguardedServer();
    const result = await fieldTypes(server.url);

    expect(result.status).toBe('fail');
    expect(rows(result)).toEqual([
      ['the payload as given', 'acked'],
      ...CHAT_MUTATIONS.map((attempt) => [attempt, 'acked']),
    ]);
    expect(result.evidence.slice(1).every(({ verdict }) => verdict === 'fail')).toBe(true);
    expect(result.summary).toMatch(
      /^14 of 14 mutated payloads acked without an error: roomId as a number, text as a number, roomId as null, .* and 4 more$/,
    );
    expect(traffic.handled).toBe(15);
  });

  it('fails against the preset without a schema for the event: only the "__proto__" objects are refused', async () => {
    const { server } = await presetServer({ validate: { schemas: {}, unknownEvents: 'allow' } });
    const result = await fieldTypes(server.url);

    expect(result.status).toBe('fail');
    const refused = (attempt: string): boolean => attempt.endsWith('"__proto__"');
    expect(rows(result)).toEqual([
      ['the payload as given', 'acked'],
      ...CHAT_MUTATIONS.map((attempt) => [
        attempt,
        refused(attempt) ? 'VALIDATION_FAILED' : 'acked',
      ]),
    ]);
    expect(result.summary).toMatch(/^12 of 14 mutated payloads acked without an error: /);
    expect(result.summary).not.toMatch(/__proto__/);
  });

  it('is not applicable without an event, or without a payload that has fields', async () => {
    const { server, traffic } = await unguardedServer();
    const withoutEvent = await runProbe({ ...options, event: undefined, url: server.url });
    expect(withoutEvent.results[1]).toMatchObject({
      id: 'field-types',
      status: 'not-applicable',
      summary: expect.stringMatching(/^needs --event/),
    });
    const withoutPayload = await runProbe({ ...options, payload: undefined, url: server.url });
    expect(withoutPayload.results[1]).toMatchObject({
      id: 'field-types',
      status: 'not-applicable',
      summary: expect.stringMatching(/^needs --payload/),
    });
    expect(traffic.handled).toBe(0);
  });

  it('cannot judge, saying why, when the payload as given is refused itself', async () => {
    const { server, traffic } = await presetServer();
    const result = await fieldTypes(server.url, { payload: { roomId: 'general' } });
    expect(result.status).toBe('not-applicable');
    expect(rows(result)).toEqual([['the payload as given', 'VALIDATION_FAILED']]);
    expect(result.summary).toBe(
      'the payload as given got VALIDATION_FAILED, so refusals of bad ones prove nothing: give a --payload your server acks for "chat:send"',
    );
    expect(traffic.handled).toBe(0);
  });
});

describe('field-types: bounds', () => {
  const nested = { roomId: 'general', text: 'hi', meta: { tag: 'news', pinned: false } };

  it('goes one level down, round the fields, and never sends more than mutationCount', async () => {
    const { server, traffic } = await unguardedServer();
    const result = await fieldTypes(server.url, { payload: nested, mutationCount: 12 });
    expect(result.evidence.map(({ attempt }) => attempt)).toEqual([
      'the payload as given',
      'roomId as a number',
      'text as a number',
      'meta as a number',
      'meta.tag as a number',
      'meta.pinned as a number',
      'meta as a string',
      'meta.pinned as a string',
      'roomId as null',
      'text as null',
      'meta as null',
      'meta.tag as null',
      'meta.pinned as null',
    ]);
    expect(traffic.handled).toBe(13);
  });

  it('stops on one connection when the server cuts it, and says how many went unjudged', async () => {
    // 5 fields, 35 mutations: core's escalation cuts the socket once the refusals weigh 50
    // (VALIDATION_FAILED weighs 2), at the 25th.
    const { server, traffic } = await presetServer({
      validate: {
        schemas: {
          [EVENT]: CHAT_SCHEMA.keys({
            meta: Joi.object({ tag: Joi.string().max(32), pinned: Joi.boolean() }).required(),
          }),
        },
      },
    });
    const result = await fieldTypes(server.url, { payload: nested });
    const judged = result.evidence.slice(1, -1);
    expect(judged).toHaveLength(25);
    expect(judged.every(({ code }) => code === 'VALIDATION_FAILED')).toBe(true);
    expect(result.evidence.at(-1)).toMatchObject({
      attempt: '10 more mutations',
      received: 'not sent: cut (RATE_LIMITED)',
    });
    expect(result.status).toBe('pass');
    expect(result.summary).toBe(
      'every field of another type was refused (25 mutations: refused with VALIDATION_FAILED; then the server cut the connection (RATE_LIMITED), so 10 mutations went unjudged)',
    );
    expect(traffic.handled).toBe(1);
  });

  it('stops when the server rate limits the messages, without counting that refusal against the schema', async () => {
    const { server } = await presetServer({
      rateLimit: { messages: { perSocket: { points: 6, durationMs: 60_000 } } },
    });
    const result = await fieldTypes(server.url);
    expect(result.status).toBe('pass');
    expect(rows(result)).toEqual([
      ['the payload as given', 'acked'],
      ...CHAT_MUTATIONS.slice(0, 5).map((attempt) => [attempt, 'VALIDATION_FAILED']),
      ['9 more mutations', 'not judged: RATE_LIMITED'],
    ]);
    // A minute's window is longer than the probe waits: it does not send again.
    expect(result.evidence.at(-1)?.note).toMatch(
      /^the server rate limited the probe \(RATE_LIMITED\); not sent again: the server asked to wait \d+(\.\d)? s, longer than the probe waits \(5 s\)$/,
    );
  });
});
