import { performance } from 'node:perf_hooks';
import type { ProbeContext } from '../context';
import { judgeRefusedPacket } from '../judge';
import type { Evidence } from '../report';
import { awaitAnswer } from '../wire/await-answer';

/**
 * Sends the frames of one packet (with an ack id) on the shared honest session and
 * judges the answer. The session is reopened first if the server closed it.
 */
export async function packetAttempt(
  ctx: ProbeContext,
  attempt: string,
  frames: (ackId: number) => readonly (string | Buffer)[],
  codes: readonly string[],
): Promise<Evidence> {
  const socket = await ctx.sharedSocket();
  const ackId = socket.nextAckId();
  const answer = awaitAnswer(socket, ackId, ctx.events, ctx.options.timeoutMs, performance.now());
  for (const frame of frames(ackId)) socket.send(frame);
  const evidence = judgeRefusedPacket(attempt, await answer, codes, ctx.options.timeoutMs);
  await ctx.settle(socket);
  return evidence;
}
