import { performance } from 'node:perf_hooks';
import { answerLimit, retryWhileLimited, withBackoffNote, type BackoffRecord } from '../backoff';
import type { ProbeContext } from '../context';
import { judgePacket } from '../judge';
import type { Evidence } from '../report';
import { awaitAnswer, type Answer } from '../wire/await-answer';
import type { ProbeSocket } from '../wire/probe-socket';

/**
 * Sends the frames of one packet with an ack id on `socket` and waits for the answer,
 * once: no back-off here (see `exchangeWithBackoff`).
 */
export async function exchange(
  ctx: ProbeContext,
  socket: ProbeSocket,
  frames: (ackId: number) => readonly (string | Buffer)[],
): Promise<Answer> {
  const ackId = socket.nextAckId();
  const answer = awaitAnswer(socket, ackId, ctx.events, ctx.options.timeoutMs, performance.now());
  for (const frame of frames(ackId)) socket.send(frame);
  return answer;
}

/** Where a packet goes: one socket, or a source that reopens a socket the server cut. */
export type SocketSource = ProbeSocket | (() => Promise<ProbeSocket>);

/**
 * Sends the frames of one packet and waits for the answer (and a disconnect right
 * behind it); when a rate limit refuses it, waits what the server asked and sends it
 * again, within the back-off's bounds (`../backoff`): on the same socket, or on a
 * fresh one when `source` can reopen it. A fixed socket that was cut ends the retries.
 */
export async function exchangeWithBackoff(
  ctx: ProbeContext,
  source: SocketSource,
  frames: (ackId: number) => readonly (string | Buffer)[],
): Promise<{ result: Answer; backoff: BackoffRecord }> {
  const fixed = typeof source === 'function' ? undefined : source;
  const socketOf = typeof source === 'function' ? source : () => Promise.resolve(source);
  return retryWhileLimited(
    ctx.backoff,
    async () => {
      const socket = await socketOf();
      const answer = await exchange(ctx, socket, frames);
      await ctx.settle(socket);
      return answer;
    },
    answerLimit,
    () => fixed === undefined || ctx.usable(fixed),
  );
}

/**
 * Sends the frames of one packet (with an ack id) on the shared honest session and
 * judges the answer. The session is reopened first if the server closed it; a rate
 * limit is waited out (and the packet sent again) within the back-off's bounds.
 */
export async function packetAttempt(
  ctx: ProbeContext,
  attempt: string,
  frames: (ackId: number) => readonly (string | Buffer)[],
): Promise<Evidence> {
  const { result, backoff } = await exchangeWithBackoff(ctx, () => ctx.sharedSocket(), frames);
  return withBackoffNote(judgePacket(attempt, result, ctx.options.timeoutMs), backoff);
}
