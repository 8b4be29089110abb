import { performance } from 'node:perf_hooks';
import type { ProbeContext } from '../context';
import { judgePacket } from '../judge';
import type { Evidence } from '../report';
import { awaitAnswer, type Answer } from '../wire/await-answer';
import type { ProbeSocket } from '../wire/probe-socket';

/** Sends the frames of one packet with an ack id on `socket` and waits for the answer. */
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

/**
 * Sends the frames of one packet (with an ack id) on the shared honest session and
 * judges the answer. The session is reopened first if the server closed it.
 */
export async function packetAttempt(
  ctx: ProbeContext,
  attempt: string,
  frames: (ackId: number) => readonly (string | Buffer)[],
): Promise<Evidence> {
  const socket = await ctx.sharedSocket();
  const evidence = judgePacket(attempt, await exchange(ctx, socket, frames), ctx.options.timeoutMs);
  await ctx.settle(socket);
  return evidence;
}
