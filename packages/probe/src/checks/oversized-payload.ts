import type { ProbeContext } from '../context';
import { outcomeOf, refusals, type CheckOutcome } from '../judge';
import { eventFrame } from '../wire/packets';
import { packetAttempt } from './packet-attempt';
import { messagePrecondition } from './payload-control';
import { argumentsJson, paddedPayloadJson } from './payloads';

export function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/**
 * One message of `oversizeBytes` (the whole frame) on the named event, its payload's
 * first string grown to fit. A server that reads it into a handler lets any client
 * make it hold that much memory per message.
 */
export async function oversizedPayloadCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const unmet = await messagePrecondition(ctx);
  if (unmet !== undefined) return unmet;
  const { payload, oversizeBytes, namespace } = ctx.options;
  const event = ctx.options.event as string;
  const bare = eventFrame(namespace, 0, argumentsJson(event, paddedPayloadJson(payload, 0)));
  const size = formatBytes(oversizeBytes);
  const evidence = [
    await packetAttempt(ctx, `one ${size} "${event}" message`, (ackId) => {
      // The ack id's digits count too: grow the padding by what the id adds.
      const extra = oversizeBytes - Buffer.byteLength(bare) - (String(ackId).length - 1);
      return [
        eventFrame(namespace, ackId, argumentsJson(event, paddedPayloadJson(payload, extra))),
      ];
    }),
  ];
  return outcomeOf(evidence, {
    pass: (items) => `a ${size} message was ${refusals(items)}`,
    fail: (miss) => `a ${size} message was ${miss.received}`,
  });
}
