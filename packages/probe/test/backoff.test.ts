import type { Socket } from 'socket.io';
import { startServer } from '@portcullis/testing';
import { runProbe, type CheckResult } from '@portcullis/probe';
import { BACKOFF_BOUNDS, RateBackoff, retryWhileLimited, type Limit } from '../src/backoff';
import { EVENT, PAYLOAD, SECRET } from './fixtures/constants';

type Ack = (reply: unknown) => void;
type Next = (error?: Error) => void;

const LIMITED = { error: { code: 'RATE_LIMITED', retryAfterMs: 50 } };

/**
 * A server whose `chat:send` refuses a `__proto__` or `constructor` key
 * (`VALIDATION_ERROR`) and acks the
 * rest; in front of it, `limit` may answer a packet `RATE_LIMITED` instead (the n-th
 * packet of its socket, from 1).
 */
async function limitedServer(limit: (n: number) => boolean) {
  const seen = { packets: 0, handled: 0 };
  const server = await startServer({
    setup(io) {
      io.on('connection', (socket: Socket) => {
        let n = 0;
        socket.use((packet: unknown[], next: Next) => {
          n += 1;
          seen.packets += 1;
          const ack = packet.at(-1);
          if (limit(n) && typeof ack === 'function') return (ack as Ack)(LIMITED);
          next();
        });
        socket.on(EVENT, (message: unknown, ack?: Ack) => {
          seen.handled += 1;
          const polluted = ['__proto__', 'constructor'].some((key) =>
            Object.hasOwn(message as object, key),
          );
          ack?.(polluted ? { status: 'error', code: 'VALIDATION_ERROR' } : { ok: true });
        });
      });
    },
  });
  return { server, seen };
}

function check(results: readonly CheckResult[], id: string): CheckResult {
  return results.find((result) => result.id === id) as CheckResult;
}

describe('rate limits: the probe waits what the server asks, then sends the attempt again', () => {
  it('judges every attempt on its own merits when every other message is rate limited', async () => {
    const { server, seen } = await limitedServer((n) => n % 2 === 1);
    const report = await runProbe({
      url: server.url,
      hs256Secret: SECRET,
      event: EVENT,
      payload: PAYLOAD,
      only: ['prototype-pollution', 'field-types'],
    });
    const pollution = check(report.results, 'prototype-pollution');
    expect(pollution.status).toBe('pass');
    expect(pollution.evidence.map(({ received, note }) => [received, note])).toEqual(
      Array(2).fill([
        "ack error 'VALIDATION_ERROR'",
        expect.stringMatching(/^sent again after 1 wait for a rate limit \(\d+(\.\d)? s\)$/),
      ]),
    );
    // field-types on a socket of its own: every mutation judged, none "not judged".
    const fieldTypes = check(report.results, 'field-types');
    expect(fieldTypes.evidence).toHaveLength(15);
    expect(fieldTypes.evidence.every(({ received }) => received === 'acked')).toBe(true);
    expect(
      fieldTypes.evidence.every(({ note }) => /^sent again after 1 wait/.test(note ?? '')),
    ).toBe(true);
    // Each attempt reached the handler once, after one refused try.
    expect(seen.handled * 2).toBe(seen.packets);
  });

  it('gives up after a bounded number of waits and keeps "not judged"', async () => {
    const { server, seen } = await limitedServer(() => true);
    const report = await runProbe({
      url: server.url,
      hs256Secret: SECRET,
      event: EVENT,
      payload: PAYLOAD,
      only: ['oversized-payload'],
    });
    const result = check(report.results, 'oversized-payload');
    expect(result.status).toBe('not-applicable');
    expect(result.evidence).toEqual([
      expect.objectContaining({
        attempt: 'the payload as given',
        received: 'RATE_LIMITED',
        note: expect.stringMatching(
          /^still limited after 3 waits for a rate limit \(.+\): the probe waits at most 3 times per attempt$/,
        ),
      }),
    ]);
    expect(seen).toEqual({ packets: 1 + BACKOFF_BOUNDS.maxRetries, handled: 0 });
  });

  it('does not wait for longer than 5 s: the attempt stays not judged', async () => {
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
    expect(report.results[1]?.evidence).toEqual([
      expect.objectContaining({
        received: 'RATE_LIMITED',
        verdict: 'not-applicable',
        note: 'refused by a rate or connection limit, which says nothing about this attempt; not sent again: the server asked to wait 60 s, longer than the probe waits (5 s)',
      }),
    ]);
    expect(report.connections.used).toBe(2);
  });

  it('waits out a rate-limited handshake too, and judges the next answer', async () => {
    let tokenless = 0;
    const server = await startServer({
      setup(io) {
        io.use((socket, next) => {
          if (socket.handshake.auth.token !== undefined) return next();
          tokenless += 1;
          if (tokenless > 1) return next(new Error('UNAUTHORIZED'));
          next(
            Object.assign(new Error('slow down'), {
              data: { code: 'RATE_LIMITED', retryAfterMs: 50 },
            }),
          );
        });
      },
    });
    const report = await runProbe({ url: server.url, hs256Secret: SECRET, only: ['no-token'] });
    expect(report.results[1]).toMatchObject({
      status: 'pass',
      evidence: [
        {
          received: "connect_error 'UNAUTHORIZED'",
          verdict: 'pass',
          note: expect.stringMatching(/^sent again after 1 wait for a rate limit/),
        },
      ],
    });
    expect(tokenless).toBe(2);
  });
});

describe('rate limits: the bounds of the waiting', () => {
  const limit = (retryAfterMs: number | undefined): Limit => ({
    code: 'RATE_LIMITED',
    retryAfterMs,
  });

  it('waits what the server asked plus a margin, a default when it asked nothing, never over 5 s', () => {
    const backoff = new RateBackoff(async () => undefined);
    expect(backoff.plan(limit(300))).toEqual({ waitMs: 300 + BACKOFF_BOUNDS.marginMs });
    expect(backoff.plan(limit(undefined))).toEqual({
      waitMs: BACKOFF_BOUNDS.defaultWaitMs + BACKOFF_BOUNDS.marginMs,
    });
    expect(backoff.plan(limit(5001))).toEqual({
      reason: 'the server asked to wait 5 s, longer than the probe waits (5 s)',
    });
  });

  it('bounds the waiting of one check and of the whole run', async () => {
    const waited: number[] = [];
    const backoff = new RateBackoff(async (ms) => waited.push(ms));
    const spend = async (): Promise<string | undefined> => {
      const plan = backoff.plan(limit(4000));
      if ('reason' in plan) return plan.reason;
      await backoff.wait(plan.waitMs);
      return undefined;
    };
    for (let i = 0; i < 3; i++) expect(await spend()).toBeUndefined();
    expect(await spend()).toBe("the probe's waiting time for one check (15 s) is spent");
    backoff.startCheck();
    for (let i = 0; i < 3; i++) expect(await spend()).toBeUndefined();
    backoff.startCheck();
    expect(await spend()).toBeUndefined();
    expect(await spend()).toBe("the probe's waiting time for the run (30 s) is spent");
    expect(waited.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(BACKOFF_BOUNDS.perRunMs);
  });

  it('sends again at most 3 times, and not once the connection it needs is gone', async () => {
    const backoff = new RateBackoff(async () => undefined);
    let sent = 0;
    const always = async (): Promise<Limit> => {
      sent += 1;
      return limit(10);
    };
    const capped = await retryWhileLimited(backoff, always, (result) => result);
    expect([sent, capped.backoff.waits]).toEqual([4, 3]);

    sent = 0;
    const gone = await retryWhileLimited(
      backoff,
      always,
      (result) => result,
      () => false,
    );
    expect([sent, gone.backoff]).toEqual([
      1,
      { waits: 0, waitedMs: 0, gaveUp: 'the connection it was sent on is gone' },
    ]);
  });
});
